/** Small helpers shared by the Event Hubs tests (no tests of its own). */
import type { Logger } from '../../shared/ports';

/** Polls until `check` returns true, or fails with `what` after `timeoutMs`. */
export async function waitFor(what: string, check: () => boolean, timeoutMs = 8_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await sleep(25);
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface LogLine {
  level: 'info' | 'warn' | 'error';
  event: string;
  fields: Record<string, unknown>;
}

/** A Logger that keeps every line, for assertions. */
export function captureLogger(): Logger & { lines: LogLine[] } {
  const lines: LogLine[] = [];
  const log = (level: LogLine['level']) => (event: string, fields: Record<string, unknown> = {}) => {
    lines.push({ level, event, fields });
  };
  return { lines, info: log('info'), warn: log('warn'), error: log('error') };
}
