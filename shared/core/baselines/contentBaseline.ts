import type { ParamType } from '../paramTypes';
import { CountHistogram } from '../sketch/countHistogram';
import { QuantileSketch } from '../sketch/quantileSketch';
import { mergeSizes, type SizeSketches, type WindowAggregate } from '../windows';

/** One parameter of one endpoint, learned over the baseline period. */
export interface ParamBaseline {
  /** Requests that carried it. */
  requests: number;
  /** How often each value type was seen. */
  types: Partial<Record<ParamType, number>>;
  /** Union of the character classes its values used (shared/core/paramChars.ts). */
  chars: number;
  /** Distinct values per window, all clients, over the windows where the parameter was used. */
  valuesPerWindow: CountHistogram;
  /** Distinct values per (client, window) pair, over every pair that used it: the population of clients. */
  clientValuesPerWindow: CountHistogram;
}

/**
 * What the content detectors compare against: size and latency distributions per (endpoint,
 * status), the parameters each endpoint takes with their value types and how many distinct
 * values a window and a client usually send, and how much traffic each endpoint had.
 */
export interface ContentBaselines {
  from: number;
  to: number;
  /** key `endpointKey\tstatus`, and `endpointKey\t*` over every status. */
  sizes: Map<string, SizeSketches>;
  /** key `clientIp\tendpointKey\tstatus`: only clients with enough requests of the key to judge by their own history. */
  clientSizes: Map<string, SizeSketches>;
  /** key `endpointKey\tparameter name` */
  params: Map<string, ParamBaseline>;
  /** Requests per endpoint over the period. */
  endpointRequests: Map<string, number>;
}

const KEY = (...parts: Array<string | number>) => parts.join('\t');

/** The status of the per-endpoint size distribution over every status: a fallback for rare statuses. */
export const ANY_STATUS = '*';

/** Learns content baselines from merged window aggregates fed in any order (each window once). */
export class ContentBaselineBuilder {
  private readonly sizes = new Map<string, SizeSketches>();
  private readonly clientSizes = new Map<string, SizeSketches>();
  private readonly params = new Map<string, ParamBaseline>();
  private readonly endpointRequests = new Map<string, number>();

  constructor(
    private readonly from: number,
    private readonly to: number,
    /** Clients with fewer requests of a key than this keep no size baseline of their own. */
    private readonly minClientSamples: number,
  ) {}

  add(aggregate: WindowAggregate, start: number): void {
    if (start < this.from || start >= this.to) return;
    for (const { endpointKey, status, sketches } of aggregate.sizeSketches()) {
      this.mergeSizes(KEY(endpointKey, status), sketches);
      this.mergeSizes(KEY(endpointKey, ANY_STATUS), sketches);
      this.endpointRequests.set(endpointKey, (this.endpointRequests.get(endpointKey) ?? 0) + sketches.request.count);
    }
    for (const { clientIp, endpointKey, status, sketches } of aggregate.clientSizeSketches()) {
      const key = KEY(clientIp, endpointKey, status);
      const mine = this.clientSizes.get(key);
      if (mine === undefined) this.clientSizes.set(key, cloneSizes(sketches));
      else mergeSizes(mine, sketches);
    }
    for (const { endpointKey, name, stats } of aggregate.parameters()) {
      const param = this.paramFor(KEY(endpointKey, name));
      param.requests += stats.requests;
      for (const [type, n] of stats.types) param.types[type] = (param.types[type] ?? 0) + n;
      param.chars = (param.chars | stats.chars) >>> 0;
      param.valuesPerWindow.add(Math.round(stats.values.estimate()));
    }
    for (const { endpointKey, name, values } of aggregate.clientParameters()) {
      this.paramFor(KEY(endpointKey, name)).clientValuesPerWindow.add(Math.round(values.estimate()));
    }
  }

  build(): ContentBaselines {
    const clientSizes = new Map([...this.clientSizes].filter(([, sketches]) => sketches.request.count >= this.minClientSamples));
    return { from: this.from, to: this.to, sizes: this.sizes, clientSizes, params: this.params, endpointRequests: this.endpointRequests };
  }

  private mergeSizes(key: string, sketches: SizeSketches): void {
    const mine = this.sizes.get(key);
    if (mine === undefined) this.sizes.set(key, cloneSizes(sketches));
    else mergeSizes(mine, sketches);
  }

  private paramFor(key: string): ParamBaseline {
    let param = this.params.get(key);
    if (param === undefined) {
      param = { requests: 0, types: {}, chars: 0, valuesPerWindow: CountHistogram.create(), clientValuesPerWindow: CountHistogram.create() };
      this.params.set(key, param);
    }
    return param;
  }
}

function cloneSizes(sketches: SizeSketches): SizeSketches {
  return { request: sketches.request.clone(), response: sketches.response.clone(), latency: sketches.latency.clone() };
}

const serializeSizes = (key: string, s: SizeSketches): [string, string, string, string] => [key, s.request.serialize(), s.response.serialize(), s.latency.serialize()];

const deserializeSizes = ([key, request, response, latency]: [string, string, string, string]): [string, SizeSketches] => [
  key,
  { request: QuantileSketch.deserialize(request), response: QuantileSketch.deserialize(response), latency: QuantileSketch.deserialize(latency) },
];

interface SerializedContentBaselines {
  v: 1;
  from: number;
  to: number;
  sizes: Array<[string, string, string, string]>;
  clientSizes: Array<[string, string, string, string]>;
  params: Array<[string, number, Partial<Record<ParamType, number>>, string, string, number]>;
  endpointRequests: Array<[string, number]>;
}

export function serializeContentBaselines(b: ContentBaselines): string {
  const body: SerializedContentBaselines = {
    v: 1,
    from: b.from,
    to: b.to,
    sizes: [...b.sizes].map(([key, s]) => serializeSizes(key, s)),
    clientSizes: [...b.clientSizes].map(([key, s]) => serializeSizes(key, s)),
    params: [...b.params].map(([key, p]) => [key, p.requests, p.types, p.valuesPerWindow.serialize(), p.clientValuesPerWindow.serialize(), p.chars]),
    endpointRequests: [...b.endpointRequests],
  };
  return JSON.stringify(body);
}

export function deserializeContentBaselines(text: string): ContentBaselines {
  const body = JSON.parse(text) as SerializedContentBaselines;
  if (body.v !== 1) throw new Error(`unknown content baseline version ${String(body.v)}`);
  return {
    from: body.from,
    to: body.to,
    sizes: new Map(body.sizes.map(deserializeSizes)),
    clientSizes: new Map(body.clientSizes.map(deserializeSizes)),
    params: new Map(
      body.params.map(([key, requests, types, perWindow, perClient, chars]) => [
        key,
        { requests, types, chars, valuesPerWindow: CountHistogram.deserialize(perWindow), clientValuesPerWindow: CountHistogram.deserialize(perClient) },
      ]),
    ),
    endpointRequests: new Map(body.endpointRequests),
  };
}
