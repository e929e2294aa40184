// Precision and recall of detectors against labels, on hand-made outcomes.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mismatches, precisionRecall, type LabelledOutcome } from "../../src/phenomena/labels.js";

const kinds = ["a", "b", "c"] as const;
type K = (typeof kinds)[number];

test("precision and recall count true and false positives and negatives per kind", () => {
  const outcomes: LabelledOutcome<K>[] = [
    { expected: { a: true, b: false, c: false }, found: ["a"] }, // a tp, b tn, c tn
    { expected: { a: true, b: true, c: false }, found: ["b", "c"] }, // a fn, b tp, c fp
    { expected: { a: false, b: false, c: false }, found: ["a"] }, // a fp
    { expected: { a: true, b: false }, found: ["a", "c"] }, // c not judged
  ];
  const [a, b, c] = precisionRecall(kinds, outcomes);
  assert.deepEqual(a, { kind: "a", tp: 2, fp: 1, fn: 1, tn: 0, precision: 2 / 3, recall: 2 / 3 });
  assert.deepEqual(b, { kind: "b", tp: 1, fp: 0, fn: 0, tn: 3, precision: 1, recall: 1 });
  assert.deepEqual(c, { kind: "c", tp: 0, fp: 1, fn: 0, tn: 2, precision: 0, recall: null });
});

test("a kind never found has no precision; a kind never labelled present has no recall", () => {
  const [a] = precisionRecall(["a"], [{ expected: { a: true }, found: [] }, { expected: { a: false }, found: [] }]);
  assert.equal(a!.precision, null);
  assert.equal(a!.recall, 0);
  const [b] = precisionRecall(["b"], [{ expected: { b: false }, found: [] }]);
  assert.equal(b!.recall, null);
});

test("mismatches lists missed and unexpected kinds, ignoring unjudged ones", () => {
  assert.deepEqual(mismatches(kinds, { expected: { a: true, b: false }, found: ["b", "c"] }), { missed: ["a"], unexpected: ["b"] });
});
