import { ANY_STATUS, type ContentBaselines } from '../baselines/contentBaseline';
import type { SizeSketches } from '../windows';
import { charClassMask, charClassNames } from '../paramChars';
import { classifyValue, isParamType, typeCompatible, type ParamType } from '../paramTypes';
import type { RequestEvent } from '../requestEvent';
import { robustThreshold, type Distribution, type RobustThreshold } from '../sketch/robust';
import type { Finding } from './finding';
import type { InstantDetector } from './instant';
import type { DetectionSettings } from './settings';

/** Threshold figures an alert shows as its baseline. */
function baselineOf(threshold: RobustThreshold): Record<string, number | string> {
  return { median: threshold.median, p999: threshold.quantile, threshold: threshold.threshold, samples: threshold.n, boundBy: threshold.binding };
}

function requestFinding(event: RequestEvent, fields: Omit<Finding, 'time' | 'endTime' | 'source'>): Finding {
  return { time: event.time, endTime: event.time, source: event.source, ...fields };
}

/**
 * API_SpikeInPayload and API_SpikeInLatency: a request whose body, response or latency is far
 * above what its client usually sends and gets from this (endpoint, status), or, for clients
 * with little history, what the (endpoint, status) usually sees — or its endpoint over every
 * status when that (non-5xx) status is too rare to judge. Thresholds are cached.
 */
export class SizeSpikeDetector implements InstantDetector {
  readonly name = 'sizeSpikes';
  private readonly endpointLimits = new Map<string, SizeLimits | undefined>();
  /** Per-client limits, computed on first use; cleared past a bound so memory stays flat. */
  private readonly clientLimits = new Map<string, SizeLimits | undefined>();

  constructor(
    private readonly baselines: ContentBaselines,
    private readonly settings: DetectionSettings,
  ) {}

  detect(event: RequestEvent): Finding[] {
    const judged = this.limitsFor(event);
    if (judged === undefined) return [];
    const { limits, by } = judged;
    const findings: Finding[] = [];
    const entities = { clientIp: event.clientIp, endpoint: event.endpoint, status: event.status };
    const check = (kind: 'request' | 'response' | 'latency', observed: number, source: string) => {
      const figures = limits[kind];
      if (!(observed > figures.threshold)) return;
      findings.push(
        requestFinding(event, {
          alertType: kind === 'latency' ? 'API_SpikeInLatency' : 'API_SpikeInPayload',
          ...(kind === 'latency' ? {} : { variant: kind }),
          entities,
          observed,
          baseline: { ...baselineOf(figures), of: by },
          score: observed / figures.threshold,
          evidence: { unit: kind === 'latency' ? 'ms' : 'bytes', sizeSource: source, status: event.status },
        }),
      );
    };
    check('request', event.requestSize, event.requestSizeSource);
    check('response', event.responseSize, event.responseSizeSource);
    check('latency', event.latencyMs, 'durationMs');
    return findings;
  }

  /**
   * The client's own history of the (endpoint, status) when it has enough, else the endpoint's,
   * else the endpoint over every status. Server errors (gateway timeouts, backend failures) are
   * slow by nature: they are never judged against the endpoint's normal traffic.
   */
  private limitsFor(event: RequestEvent): { limits: SizeLimits; by: 'client' | 'endpoint' } | undefined {
    const endpointStatus = `${event.endpoint.key}\t${event.status}`;
    const clientKey = `${event.clientIp}\t${endpointStatus}`;
    if (this.clientLimits.size > MAX_CACHED_CLIENTS) this.clientLimits.clear();
    const own = cached(this.clientLimits, clientKey, () => this.limitsOf(this.baselines.clientSizes.get(clientKey), this.settings.minClientSizeSamples));
    if (own !== undefined) return { limits: own, by: 'client' };
    const fallback = event.status > 0 && event.status < 500 ? `${event.endpoint.key}\t${ANY_STATUS}` : undefined;
    const endpoint =
      this.endpointFor(endpointStatus) ?? (fallback === undefined ? undefined : this.endpointFor(fallback));
    return endpoint === undefined ? undefined : { limits: endpoint, by: 'endpoint' };
  }

  private endpointFor(key: string): SizeLimits | undefined {
    return cached(this.endpointLimits, key, () => this.limitsOf(this.baselines.sizes.get(key), this.settings.minSizeSamples));
  }

  private limitsOf(sizes: SizeSketches | undefined, minSamples: number): SizeLimits | undefined {
    if (sizes === undefined || sizes.request.count < minSamples) return undefined;
    const threshold = (values: Distribution, absoluteFloor: number) =>
      robustThreshold({ values, q: 0.999, relativeFloor: this.settings.sizeFactor, madMultiplier: 8, logSpace: true, absoluteFloor });
    return {
      request: threshold(sizes.request, this.settings.requestPayloadFloor),
      response: threshold(sizes.response, this.settings.responsePayloadFloor),
      latency: threshold(sizes.latency, this.settings.latencyFloorMs),
    };
  }
}

interface SizeLimits {
  request: RobustThreshold;
  response: RobustThreshold;
  latency: RobustThreshold;
}

const MAX_CACHED_CLIENTS = 50_000;

function cached<V>(map: Map<string, V | undefined>, key: string, compute: () => V | undefined): V | undefined {
  if (map.has(key)) return map.get(key);
  const value = compute();
  map.set(key, value);
  return value;
}

/**
 * API_UnseenParam: a parameter name the endpoint never received in the baseline, on an endpoint
 * with enough history. API_UnseenParamType: a value whose type the parameter never had (an
 * integer where decimals are usual is not new; text where integers are usual is), or that
 * carries a character class the parameter's values never used (a quote, a pipe, a `%`).
 *
 * `declared` (from the APIM inventory: template and query parameters per endpoint key) lists
 * parameters that are legitimate even before traffic used them: a declared parameter is never
 * "unseen", but once learned its value types are judged like any other. An endpoint without
 * enough history stays silent whatever it declares.
 */
export class UnseenParamDetector implements InstantDetector {
  readonly name = 'unseenParams';
  private readonly learnedTypes = new Map<string, ReadonlySet<ParamType>>();

  constructor(
    private readonly baselines: ContentBaselines,
    private readonly settings: DetectionSettings,
    private readonly declared: ReadonlyMap<string, ReadonlySet<string>> = new Map(),
  ) {}

  detect(event: RequestEvent): Finding[] {
    if (event.endpoint.operationId === '' || event.params.length === 0) return [];
    const requests = this.baselines.endpointRequests.get(event.endpoint.key) ?? 0;
    if (requests < this.settings.minEndpointRequestsForParams) return [];
    const findings: Finding[] = [];
    const entities = (parameterName: string) => ({ clientIp: event.clientIp, endpoint: event.endpoint, parameterName });
    const declared = this.declared.get(event.endpoint.key);
    for (const param of event.params) {
      const key = `${event.endpoint.key}\t${param.name}`;
      const learned = this.baselines.params.get(key);
      if (learned === undefined) {
        if (declared?.has(param.name) === true) continue;
        findings.push(
          requestFinding(event, {
            alertType: 'API_UnseenParam',
            entities: entities(param.name),
            observed: param.name,
            baseline: {
              endpointRequests: requests,
              knownParameters: this.knownParameterCount(event.endpoint.key),
              ...(declared === undefined ? {} : { declaredParameters: declared.size }),
            },
            score: 1,
            evidence: { location: param.location, value: param.value.slice(0, 200) },
          }),
        );
        continue;
      }
      if (learned.requests < this.settings.minParamRequestsForTypes) continue;
      const type = classifyValue(param.value);
      const types = this.typesOf(key, learned.types);
      const newChars = (charClassMask(param.value) & ~learned.chars) >>> 0;
      if (typeCompatible(types, type) && newChars === 0) continue;
      findings.push(
        requestFinding(event, {
          alertType: 'API_UnseenParamType',
          entities: entities(param.name),
          observed: type,
          baseline: { learnedTypes: [...types].join(', '), learnedCharacters: charClassNames(learned.chars).join(' '), requests: learned.requests },
          score: 1,
          evidence: {
            location: param.location,
            value: param.value.slice(0, 200),
            ...(newChars === 0 ? {} : { newCharacters: charClassNames(newChars).join(' ') }),
          },
        }),
      );
    }
    return findings;
  }

  private typesOf(key: string, counts: Partial<Record<ParamType, number>>): ReadonlySet<ParamType> {
    let types = this.learnedTypes.get(key);
    if (types === undefined) {
      types = new Set(Object.keys(counts).filter(isParamType));
      this.learnedTypes.set(key, types);
    }
    return types;
  }

  private knownParameterCount(endpointKey: string): number {
    let n = 0;
    for (const key of this.baselines.params.keys()) if (key.startsWith(`${endpointKey}\t`)) n += 1;
    return n;
  }
}
