// groupBy / groupIndices: keys in first-seen order, items in input order, null
// and undefined keys left out.

import { test } from "node:test";
import assert from "node:assert/strict";
import { groupBy, groupIndices } from "../../src/worldmodel/group-by.js";

test("groups by key in first-seen order, leaving out items without a key", () => {
  const items = ["b1", "a1", "x", "b2", "a2", "y"];
  const keyOf = (s: string) => (s.length === 2 ? s[0] : s === "x" ? null : undefined);
  assert.deepEqual([...groupBy(items, keyOf)], [["b", ["b1", "b2"]], ["a", ["a1", "a2"]]]);
  assert.deepEqual([...groupIndices(items, keyOf)], [["b", [0, 3]], ["a", [1, 4]]]);
  assert.deepEqual([...groupIndices(items, (_, i) => i % 2)], [[0, [0, 2, 4]], [1, [1, 3, 5]]], "the index reaches the key function");
  assert.equal(groupBy([], () => 1).size, 0);
});
