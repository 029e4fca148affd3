/** Deterministic pseudo-random numbers for the sketch tests (no dependency on Math.random). */

/** A seeded generator of uniform numbers in [0, 1) (splitmix32-style mixing of a counter). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    z ^= z >>> 15;
    return (z >>> 0) / 4294967296;
  };
}

/** Standard normal deviates (Box–Muller) from a uniform generator. */
export function normal(random: () => number): number {
  const u = 1 - random();
  const v = random();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** A lognormal sample: exp(mu + sigma·Z). */
export function lognormalSample(random: () => number, n: number, mu: number, sigma: number): number[] {
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) out[i] = Math.exp(mu + sigma * normal(random));
  return out;
}
