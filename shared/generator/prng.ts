/**
 * A small seeded pseudo-random number generator (sfc32, "Small Fast Chaotic", 128-bit state)
 * with the distribution helpers the traffic generator needs. Everything is deterministic: the
 * same seed (and the same key parts for {@link Rng.fromKey}) always gives the same sequence.
 * Not for cryptography.
 */

/** 32-bit finalizer (from the MurmurHash3 family): spreads the bits of one 32-bit word. */
function mix32(value: number): number {
  let h = value >>> 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Hashes a list of numbers and strings into one 32-bit word (FNV-1a over the parts, then mixed). */
export function hashParts(...parts: ReadonlyArray<string | number>): number {
  let h = 0x811c9dc5;
  for (const part of parts) {
    const text = typeof part === 'number' ? `#${part}` : `$${part}`;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193);
    }
    h ^= 0xff;
    h = Math.imul(h, 0x01000193);
  }
  return mix32(h);
}

/** Seeded generator. Create with `new Rng(seed)` or, for an independent stream, {@link Rng.fromKey}. */
export class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    // Expand the seed into four state words with a splitmix32-style sequence.
    let s = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    const nextWord = (): number => {
      s = (s + 0x9e3779b9) >>> 0;
      return mix32(s ^ Math.imul(s >>> 15, 0x2c1b3c6d));
    };
    this.a = nextWord();
    this.b = nextWord();
    this.c = nextWord();
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextU32();
  }

  /** An independent generator for one purpose (e.g. one time slice, one attack), derived from the seed. */
  static fromKey(seed: number, ...parts: ReadonlyArray<string | number>): Rng {
    return new Rng(hashParts(seed, ...parts));
  }

  /** Next raw 32-bit unsigned integer. */
  nextU32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1), 53 bits of precision. */
  next(): number {
    const hi = this.nextU32() >>> 5;
    const lo = this.nextU32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Uniform integer in [lo, hi], both inclusive. */
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (mean 0, sd 1) by the polar Box–Muller method; the spare value is kept. */
  normal(): number {
    if (this.spareNormal !== undefined) {
      const spare = this.spareNormal;
      this.spareNormal = undefined;
      return spare;
    }
    let u = 0;
    let v = 0;
    let s = 0;
    do {
      u = this.next() * 2 - 1;
      v = this.next() * 2 - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const factor = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * factor;
    return u * factor;
  }

  /** Normal with the given mean and standard deviation. */
  gaussian(mean: number, sd: number): number {
    return mean + sd * this.normal();
  }

  /** Log-normal given its median and the standard deviation of its logarithm. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }

  /** Poisson-distributed count with mean lambda (exact for small lambda, normal approximation above 40). */
  poisson(lambda: number): number {
    if (!(lambda > 0)) return 0;
    if (lambda > 40) {
      return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * this.normal()));
    }
    const limit = Math.exp(-lambda);
    let k = 0;
    let p = this.next();
    while (p > limit) {
      k++;
      p *= this.next();
    }
    return k;
  }

  /** One element, uniformly. Throws on an empty array. */
  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Fisher–Yates shuffle into a new array. */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.next() * (i + 1));
      const tmp = out[i] as T;
      out[i] = out[j] as T;
      out[j] = tmp;
    }
    return out;
  }

  /** Lower-case hex string of n digits. */
  hex(digits: number): string {
    let out = '';
    while (out.length < digits) out += this.nextU32().toString(16).padStart(8, '0');
    return out.slice(0, digits);
  }

  /** Random RFC 4122 version-4 UUID text (lower case). */
  uuid(): string {
    const h = this.hex(32);
    const variant = ((parseInt(h.charAt(16), 16) & 0x3) | 0x8).toString(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/** A fixed list of items with weights, picked in O(log n) by binary search over cumulative weights. */
export class WeightedTable<T> {
  readonly items: readonly T[];
  private readonly cumulative: Float64Array;
  readonly total: number;

  constructor(entries: ReadonlyArray<readonly [T, number]>) {
    const kept = entries.filter(([, w]) => w > 0);
    if (kept.length === 0) throw new RangeError('a weighted table needs at least one positive weight');
    this.items = kept.map(([item]) => item);
    this.cumulative = new Float64Array(kept.length);
    let sum = 0;
    kept.forEach(([, w], i) => {
      sum += w;
      this.cumulative[i] = sum;
    });
    this.total = sum;
  }

  pick(rng: Rng): T {
    const target = rng.next() * this.total;
    let lo = 0;
    let hi = this.cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.cumulative[mid] as number) > target) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }

  /** Weight of the item at an index, as given. */
  weightAt(index: number): number {
    const upper = this.cumulative[index] ?? 0;
    const lower = index > 0 ? (this.cumulative[index - 1] ?? 0) : 0;
    return upper - lower;
  }
}
