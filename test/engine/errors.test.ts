// Shape and dtype mistakes throw errors that name the op and the shapes involved.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, F, ShapeError, crossEntropy } from "../../src/engine/index.js";

const engine = new Engine({ backend: "reference" });
const t = (shape: number[], dtype: "f32" | "i32" = "f32") => engine.zeros(shape, dtype);

const mistakes: Array<[string, () => unknown, RegExp]> = [
  ["matmul inner dims", () => F.matmul(t([3, 4]), t([5, 6])), /^matmul: inner dims differ: 4 vs 5 .*f32\[3, 4\], f32\[5, 6\]/],
  ["matmul batch", () => F.matmul(t([2, 3, 4]), t([3, 4, 5])), /^matmul: batch dims do not broadcast/],
  ["add broadcast", () => F.add(t([2, 3]), t([4])), /^add: shapes do not broadcast \(inputs: f32\[2, 3\], f32\[4\]\)/],
  ["dtype", () => F.relu(t([2], "i32")), /^relu: input 0 must be f32, got i32/],
  ["reshape size", () => F.reshape(t([2, 3]), [4, 2]), /^reshape: cannot view 6 elements as \[4, 2\]/],
  ["transpose perm", () => F.transpose(t([2, 3]), [0, 0]), /^transpose: \[0, 0\] is not a permutation of 2 axes/],
  ["slice range", () => F.slice(t([2, 3]), 1, 2, 5), /^slice: range \[2, 5\) does not fit axis 1 of length 3/],
  ["concat mismatch", () => F.concat([t([2, 3]), t([3, 3])], 1), /^concat: inputs must match except along axis 1/],
  ["sum axis", () => F.sum(t([2, 3]), { axes: [2] }), /^sum: axis 2 is out of range for rank 2/],
  ["label range", () => crossEntropy(t([2, 3]), engine.tensor([0, 3], [2], "i32")), /^pick: index 3 at position 1 is outside \[0, 3\)/],
  ["gather index dtype", () => F.gather(t([4, 2]), t([3])), /^gather: input 1 must be i32, got f32/],
];

for (const [name, fn, pattern] of mistakes) {
  test(`shape error: ${name}`, () => {
    assert.throws(fn, (e: unknown) => e instanceof ShapeError && pattern.test(e.message));
  });
}

test("a disposed tensor cannot be used", () => {
  const x = t([2]);
  x.dispose();
  assert.throws(() => F.relu(x), /relu: tensor of shape \[2\] was already disposed/);
});
