import { deserializeContentBaselines, type ContentBaselines } from '../core/baselines/contentBaseline';
import { SizeSpikeDetector, UnseenParamDetector } from '../core/detectors/contentDetectors';
import type { InstantDetector } from '../core/detectors/instant';
import type { DetectionSettings } from '../core/detectors/settings';
import type { BaselineStore, Clock } from '../ports';

export const CONTENT_BASELINE = 'content';

/**
 * The baseline-driven instant detectors for a set of content baselines, plus the fixed ones
 * (patterns, intel). `declared`: parameters the APIM inventory declares, per endpoint key
 * (never reported as unseen).
 */
export function instantDetectors(
  content: ContentBaselines | undefined,
  settings: DetectionSettings,
  fixed: readonly InstantDetector[],
  declared?: ReadonlyMap<string, ReadonlySet<string>>,
): InstantDetector[] {
  return content === undefined ? [...fixed] : [...fixed, new SizeSpikeDetector(content, settings), new UnseenParamDetector(content, settings, declared)];
}

/**
 * The ingest path's instant detectors, with the current content baselines cached in memory and
 * reloaded when a newer version is stored (checked at most every `refreshMs` of wall-clock time).
 */
export class CachedInstantDetectors {
  private version: string | undefined;
  private detectors: InstantDetector[];
  private checkedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: BaselineStore,
    private readonly settings: DetectionSettings,
    private readonly fixed: readonly InstantDetector[],
    private readonly clock: Clock,
    private readonly refreshMs = 5 * 60_000,
  ) {
    this.detectors = [...fixed];
  }

  /** Makes the next call check for a newer baseline at once (after a recompute in this process). */
  invalidate(): void {
    this.checkedAt = Number.NEGATIVE_INFINITY;
  }

  async current(): Promise<readonly InstantDetector[]> {
    const now = this.clock.now().getTime();
    if (now - this.checkedAt < this.refreshMs) return this.detectors;
    this.checkedAt = now;
    const version = await this.store.currentVersion(CONTENT_BASELINE);
    if (version !== undefined && version !== this.version) {
      const stored = await this.store.read(CONTENT_BASELINE);
      if (stored !== undefined) {
        this.detectors = instantDetectors(deserializeContentBaselines(stored.text), this.settings, this.fixed);
        this.version = stored.version;
      }
    }
    return this.detectors;
  }
}
