/**
 * A small seeded PRNG (mulberry32): the same seed gives the same stream on every machine and backend,
 * which is what makes splits and generated datasets reproducible.
 */
export class SeededRandom {
  private state_: number;

  constructor(seed: number) {
    this.state_ = seed >>> 0;
  }

  /** The generator's whole state, to continue the same stream after a restart (checkpoints). */
  get state(): number {
    return this.state_;
  }

  set state(value: number) {
    this.state_ = value >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state_ = (this.state_ + 0x6d2b79f5) >>> 0;
    let t = this.state_;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = Math.max(this.next(), 1e-12);
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Fisher–Yates shuffle in place. */
  shuffle<T>(items: T[]): T[] {
    for (let i = items.length - 1; i > 0; i -= 1) {
      const j = this.int(i + 1);
      [items[i], items[j]] = [items[j] as T, items[i] as T];
    }
    return items;
  }
}
