/**
 * An exact running sum of doubles, so that a sketch's `sum` is the same number however its
 * inputs were split and in whatever order the parts were merged (plain `+=` differs in the last
 * bits depending on order).
 *
 * The sum is kept as a short list of non-overlapping partials (Shewchuk's "adaptive precision"
 * expansion, the idea behind Python's math.fsum): adding a double is exact and costs a loop over
 * the partials, of which there are usually one or two. `value` is the correctly rounded
 * (round-half-even) total. `terms()` is a canonical expansion of the exact total: the rounded
 * total, then the rounded remainder, and so on, which depends only on the exact value, so two
 * sums of the same multiset serialize to the same bytes.
 */
export class ExactSum {
  /** partials[0 … size): non-overlapping, increasing magnitude. Grows rarely (≤ ~40 needed). */
  private partials = new Float64Array(4);
  private size = 0;

  /**
   * Adds a finite double exactly. Throws RangeError for a non-finite input; a total beyond the
   * double range (> 1.8e308) also throws and leaves the sum unusable.
   */
  add(x: number): void {
    if (!Number.isFinite(x)) throw new RangeError(`ExactSum adds finite numbers, got ${x}`);
    const partials = this.partials;
    const size = this.size;
    let kept = 0;
    for (let j = 0; j < size; j++) {
      let y = partials[j] as number;
      if (Math.abs(x) < Math.abs(y)) {
        const t = x;
        x = y;
        y = t;
      }
      const hi = x + y;
      const lo = y - (hi - x);
      if (lo !== 0) partials[kept++] = lo;
      x = hi;
    }
    if (!Number.isFinite(x)) throw new RangeError('sum overflowed the range of a double');
    if (kept === partials.length) {
      const grown = new Float64Array(partials.length * 2);
      grown.set(partials);
      this.partials = grown;
    }
    this.partials[kept] = x;
    this.size = kept + 1;
  }

  /**
   * Adds `x · times` exactly, for a positive integer `times`: as a sum of x·2^j over the set bits
   * of `times` (scaling by a power of two is exact), so at most 53 additions.
   */
  addMultiple(x: number, times: number): void {
    let rest = times;
    let scaled = x;
    while (rest > 0) {
      if (rest % 2 === 1) this.add(scaled);
      rest = Math.floor(rest / 2);
      scaled *= 2;
    }
  }

  /** Adds another exact sum (exactly). Safe when `other` is this. */
  addSum(other: ExactSum): void {
    const theirs = other.partials.slice(0, other.size);
    for (const p of theirs) this.add(p);
  }

  /** The exact total rounded to the nearest double (ties to even). */
  get value(): number {
    const p = this.partials;
    let n = this.size;
    if (n === 0) return 0;
    n -= 1;
    let hi = p[n] as number;
    let lo = 0;
    while (n > 0) {
      const x = hi;
      n -= 1;
      const y = p[n] as number;
      hi = x + y;
      lo = y - (hi - x);
      if (lo !== 0) break;
    }
    // Half-way case: the next partial pushes the rounding the other way.
    const next = n > 0 ? (p[n - 1] as number) : 0;
    if ((lo < 0 && next < 0) || (lo > 0 && next > 0)) {
      const y = lo * 2;
      const x = hi + y;
      if (y === x - hi) hi = x;
    }
    return hi;
  }

  /** Canonical expansion of the exact total (empty for zero): depends only on the exact value. */
  terms(): number[] {
    const work = this.clone();
    const terms: number[] = [];
    // A double expansion has at most ~40 significant terms (2098 bits / 53); 64 is a safe cap.
    for (let i = 0; i < 64; i++) {
      const t = work.value;
      if (t === 0) break;
      terms.push(t);
      work.add(-t);
    }
    return terms;
  }

  /** Rebuilds a sum from {@link terms} (or any list of doubles whose exact total is wanted). */
  static fromTerms(terms: readonly number[]): ExactSum {
    const sum = new ExactSum();
    for (const t of terms) sum.add(t);
    return sum;
  }

  clone(): ExactSum {
    const copy = new ExactSum();
    copy.partials = this.partials.slice();
    copy.size = this.size;
    return copy;
  }
}
