// Counter-based random numbers: every value is a pure function of (seed, stream,
// counter). Nothing is carried between calls except the counter, so a member's
// initial weights, data order and dropout masks are reproducible bit for bit
// whether it trains alone or inside a population, on any thread.

/** A 32-bit integer mixer with full avalanche (the "lowbias32" constants of C. Wellons). */
export function mix32(x: number): number {
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The raw 32-bit value at position `counter` of stream `stream` under `seed`. */
export function hash3(seed: number, stream: number, counter: number): number {
  const key = mix32(mix32((seed >>> 0) ^ 0x9e3779b9) ^ Math.imul(stream >>> 0, 0x85ebca6b));
  // Two rounds over the counter so that neighbouring counters decorrelate fully.
  return mix32(mix32(key ^ (counter >>> 0)) ^ Math.floor(counter / 4294967296));
}

/** Named streams, so that independent uses of one seed never overlap. */
export const Stream = {
  init: 1,
  data: 2,
  dropout: 3,
  shuffle: 4,
  task: 5,
} as const;

export class Rng {
  private counter = 0;

  constructor(readonly seed: number, readonly stream: number = 0, start = 0) {
    // Beyond 2^53 a float64 counter stops incrementing and every draw repeats.
    if (!Number.isSafeInteger(start) || start > Number.MAX_SAFE_INTEGER - 2 ** 32) {
      throw new Error(`Rng: counter start ${start} is not an exact integer below 2^53 - 2^32`);
    }
    this.counter = start;
  }

  /** Uniform in [0, 1) with 32 bits of resolution. */
  uniform(): number {
    return hash3(this.seed, this.stream, this.counter++) / 4294967296;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Standard normal (Box-Muller; uses two counters per value for simplicity). */
  normal(): number {
    const u1 = 1 - this.uniform(); // in (0, 1], keeps log finite
    const u2 = this.uniform();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** Fills an array with normal(0, std) values. */
  fillNormal(out: Float32Array | number[], std = 1, mean = 0): void {
    for (let i = 0; i < out.length; i++) out[i] = mean + std * this.normal();
  }

  fillUniform(out: Float32Array | number[], lo = 0, hi = 1): void {
    for (let i = 0; i < out.length; i++) out[i] = lo + (hi - lo) * this.uniform();
  }

  /** A random permutation of 0..n-1 (Fisher-Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}
