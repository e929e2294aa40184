// The statistics the world model is judged by, as plain functions over arrays:
// Spearman rank correlation (average ranks for ties), R^2, mean absolute error,
// ROC AUC (Mann-Whitney, ties count one half), coverage of central intervals and
// the median. Non-finite pairs are skipped; a statistic that is not defined on
// its input (too few values, no variance, one class absent) is NaN, never a
// made-up number.

/** z of the central 80% interval of a normal: mean +- 1.2816 std. */
export const Z80 = 1.2815515655446004;

/** Indexes where both arrays hold finite numbers. */
function finitePairs(a: ArrayLike<number>, b: ArrayLike<number>): [number[], number[]] {
  if (a.length !== b.length) throw new RangeError(`metrics: arrays of different lengths ${a.length} and ${b.length}`);
  const x: number[] = [], y: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      x.push(a[i]!);
      y.push(b[i]!);
    }
  }
  return [x, y];
}

/** 1-based ranks, ties getting the mean of the ranks they span. */
export function ranks(values: readonly number[]): Float64Array {
  const order = values.map((v, i) => [v, i] as const).sort((p, q) => p[0] - q[0]);
  const out = new Float64Array(values.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && order[j + 1]![0] === order[i]![0]) j++;
    const rank = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) out[order[k]![1]] = rank;
    i = j + 1;
  }
  return out;
}

/** Pearson correlation of finite pairs; NaN with fewer than 2 pairs or no variance. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const [x, y] = finitePairs(a, b);
  const n = x.length;
  if (n < 2) return NaN;
  const mx = x.reduce((s, v) => s + v, 0) / n, my = y.reduce((s, v) => s + v, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i]! - mx) * (y[i]! - my);
    sxx += (x[i]! - mx) ** 2;
    syy += (y[i]! - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : NaN;
}

/** Spearman rank correlation: Pearson of the (tie-averaged) ranks of finite pairs. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const [x, y] = finitePairs(a, b);
  return pearson(ranks(x), ranks(y));
}

/** Coefficient of determination of predictions against actual values: 1 - SS_res / SS_tot. */
export function rSquared(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const [y, p] = finitePairs(actual, predicted);
  if (y.length < 2) return NaN;
  const m = y.reduce((s, v) => s + v, 0) / y.length;
  let res = 0, tot = 0;
  for (let i = 0; i < y.length; i++) {
    res += (y[i]! - p[i]!) ** 2;
    tot += (y[i]! - m) ** 2;
  }
  return tot > 0 ? 1 - res / tot : NaN;
}

/** Mean absolute error over finite pairs; NaN when there are none. */
export function meanAbsoluteError(actual: ArrayLike<number>, predicted: ArrayLike<number>): number {
  const [y, p] = finitePairs(actual, predicted);
  if (y.length === 0) return NaN;
  let s = 0;
  for (let i = 0; i < y.length; i++) s += Math.abs(y[i]! - p[i]!);
  return s / y.length;
}

/**
 * ROC AUC of scores for binary labels: the probability that a random positive
 * scores above a random negative, ties counting one half. NaN if a class is absent.
 */
export function rocAuc(labels: ArrayLike<number>, scores: ArrayLike<number>): number {
  const [l, s] = finitePairs(labels, scores);
  const r = ranks(s);
  let pos = 0, rankSum = 0;
  for (let i = 0; i < l.length; i++) {
    if (l[i] === 1) {
      pos++;
      rankSum += r[i]!;
    }
  }
  const neg = l.length - pos;
  if (pos === 0 || neg === 0) return NaN;
  return (rankSum - (pos * (pos + 1)) / 2) / (pos * neg);
}

/** Fraction of finite actual values inside mean +- z * std (default: the central 80% interval). */
export function intervalCoverage(actual: ArrayLike<number>, mean: ArrayLike<number>, std: ArrayLike<number>, z = Z80): number {
  let inside = 0, n = 0;
  for (let i = 0; i < actual.length; i++) {
    const y = actual[i]!, m = mean[i]!, s = std[i]!;
    if (!Number.isFinite(y) || !Number.isFinite(m) || !Number.isFinite(s)) continue;
    n++;
    if (Math.abs(y - m) <= z * s) inside++;
  }
  return n > 0 ? inside / n : NaN;
}

/** Median of the finite values; NaN when there are none. */
export function median(values: readonly number[]): number {
  const v = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (v.length === 0) return NaN;
  const h = v.length >> 1;
  return v.length % 2 ? v[h]! : (v[h - 1]! + v[h]!) / 2;
}

/** Mean of the finite values; NaN when there are none. */
export function mean(values: readonly number[]): number {
  const v = values.filter(Number.isFinite);
  return v.length > 0 ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/** Sample standard deviation (n - 1) of the finite values; NaN with fewer than two. */
export function sampleStd(values: readonly number[]): number {
  const v = values.filter(Number.isFinite);
  if (v.length < 2) return NaN;
  const m = mean(v);
  return Math.sqrt(v.reduce((a, x) => a + (x - m) ** 2, 0) / (v.length - 1));
}
