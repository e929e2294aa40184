// Evidence behind a prediction: the training runs near a query in standardized
// encoding space. Distances are root-mean-square per feature, so they read the
// same whatever the number of features; the radius that counts a run as "near" is
// fitted on the training set itself: the 5th percentile of distances between
// training runs, so a query in the thick of the data has ~5% of them as neighbours
// and one far from everything has none.

export interface Support {
  /** training runs within the radius */
  neighbours: number;
  /** mean distance of the K nearest training runs */
  meanDistance: number;
}

export const SUPPORT_K = 5;

export class SupportIndex {
  constructor(readonly rows: Float32Array, readonly dims: number, readonly radius: number) {}

  get count(): number {
    return this.dims > 0 ? this.rows.length / this.dims : 0;
  }

  static build(rows: readonly Float32Array[]): SupportIndex {
    const dims = rows[0]?.length ?? 0;
    const flat = new Float32Array(rows.length * dims);
    rows.forEach((r, i) => flat.set(r, i * dims));
    const index = new SupportIndex(flat, dims, Infinity);
    // pairwise distances over a fixed subsample (every k-th row)
    const stride = Math.max(1, Math.floor(rows.length / 300));
    const pairs: number[] = [];
    for (let i = 0; i < rows.length; i += stride) {
      const d = index.distances(rows[i]!, i);
      for (let j = 0; j < d.length; j += stride) pairs.push(d[j]!);
    }
    pairs.sort((a, b) => a - b);
    const radius = pairs.length ? pairs[Math.floor(0.05 * (pairs.length - 1))]! : Infinity;
    return new SupportIndex(flat, dims, Math.max(radius, 1e-3));
  }

  /** Distances from `q` to every training row (except row `skip`). */
  private distances(q: Float32Array, skip = -1): number[] {
    const out: number[] = [];
    const n = this.count, d = this.dims;
    for (let i = 0; i < n; i++) {
      if (i === skip) continue;
      let s = 0;
      for (let j = 0; j < d; j++) {
        const t = q[j]! - this.rows[i * d + j]!;
        s += t * t;
      }
      out.push(Math.sqrt(s / d));
    }
    return out;
  }

  query(q: Float32Array): Support {
    const dist = this.distances(q).sort((a, b) => a - b);
    const near = dist.slice(0, SUPPORT_K);
    return {
      neighbours: dist.filter((x) => x <= this.radius).length,
      meanDistance: near.length ? near.reduce((a, b) => a + b, 0) / near.length : Infinity,
    };
  }
}
