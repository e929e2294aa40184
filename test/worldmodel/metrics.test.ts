// The evaluation statistics against hand-computed values, ties included.

import { test } from "node:test";
import assert from "node:assert/strict";
import { intervalCoverage, mean, meanAbsoluteError, median, pearson, ranks, rocAuc, rSquared, sampleStd, spearman, Z80 } from "../../src/worldmodel/metrics.js";

const close = (a: number, b: number, eps = 1e-9) => assert.ok(Math.abs(a - b) < eps, `${a} != ${b}`);

test("ranks average over ties", () => {
  assert.deepEqual([...ranks([10, 20, 20, 30])], [1, 2.5, 2.5, 4]);
  assert.deepEqual([...ranks([3, 1, 3, 3])], [3, 1, 3, 3]);
});

test("Spearman: monotone maps, ties by hand, undefined cases", () => {
  close(spearman([1, 2, 3, 4], [1, 8, 27, 64]), 1);
  close(spearman([1, 2, 3, 4], [4, 3, 2, 1]), -1);
  // ranks [1, 2.5, 2.5, 4] and [1, 3, 2, 4]: 4.5 / sqrt(4.5 * 5) = 3 / sqrt(10)
  close(spearman([1, 2, 2, 3], [1, 3, 2, 4]), 3 / Math.sqrt(10));
  // non-finite pairs are skipped
  close(spearman([1, NaN, 2, 3], [5, 0, 6, 7]), 1);
  assert.ok(Number.isNaN(spearman([1, 1, 1], [1, 2, 3])), "no variance");
  assert.ok(Number.isNaN(spearman([1], [2])), "one pair");
  close(pearson([1, 2, 3], [2, 4, 7]), 0.9933992677987828);
});

test("R^2 and MAE", () => {
  // SS_res = 1, SS_tot = 5
  close(rSquared([1, 2, 3, 4], [1, 2, 3, 5]), 0.8);
  close(rSquared([1, 2, 3], [2, 2, 2]), 0);
  assert.ok(rSquared([1, 2, 3], [3, 2, 1]) < 0, "worse than the mean is negative");
  close(meanAbsoluteError([1, 2, NaN], [2, 4, 0]), 1.5);
  assert.ok(Number.isNaN(meanAbsoluteError([NaN], [1])));
});

test("ROC AUC: by hand, with ties, one class absent", () => {
  close(rocAuc([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]), 0.75);
  // positives {0.5, 0.9} vs negatives {0.5, 0.2}: 0.5 + 1 + 1 + 1 of 4 pairs
  close(rocAuc([0, 1, 0, 1], [0.5, 0.5, 0.2, 0.9]), 0.875);
  close(rocAuc([1, 1, 0, 0], [0.3, 0.3, 0.3, 0.3]), 0.5);
  assert.ok(Number.isNaN(rocAuc([1, 1, 1], [0.1, 0.2, 0.3])));
});

test("coverage of the 80% interval and the median", () => {
  close(Z80, 1.2816, 1e-4);
  // |0| and |1| are within 1.2816, |2| is not; NaN is skipped
  close(intervalCoverage([0, 1, 2, NaN], [0, 0, 0, 0], [1, 1, 1, 1]), 2 / 3);
  close(intervalCoverage([1.28], [0], [1]), 1);
  close(intervalCoverage([1.29], [0], [1]), 0);
  close(median([3, 1, 2]), 2);
  close(median([4, 1, 3, 2, NaN]), 2.5);
  assert.ok(Number.isNaN(median([])));
});

test("mean and sample standard deviation of the finite values", () => {
  close(mean([1, 2, NaN, 6]), 3);
  assert.ok(Number.isNaN(mean([])) && Number.isNaN(mean([NaN])));
  // (1-3)^2 + (2-3)^2 + (6-3)^2 = 14, over n - 1 = 2
  close(sampleStd([1, 2, NaN, 6]), Math.sqrt(7));
  assert.ok(Number.isNaN(sampleStd([5])) && Number.isNaN(sampleStd([5, Infinity])));
});
