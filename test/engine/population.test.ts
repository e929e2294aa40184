// Populations: P members in one pass give bitwise the results of each member
// trained alone, and a member that diverges is frozen without touching the others.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, type Backend } from "../../src/engine/index.js";
import { trainPopulation, type MemberSpec } from "../helpers/population-mlp.js";

const members: MemberSpec[] = [
  { seed: 1, lr: 0.01 },
  { seed: 2, lr: 0.03, weightDecay: 0.1 },
  { seed: 3, lr: 0.003, beta1: 0.5 },
  { seed: 4, lr: 0.02 },
];

for (const backend of ["wasm", "reference"] as Backend[]) {
  test(`a population trains each member exactly as it would train alone (${backend})`, () => {
    const engine = new Engine({ backend });
    const together = trainPopulation(engine, members, 25);
    members.forEach((m, i) => {
      const alone = trainPopulation(engine, [m], 25);
      assert.deepEqual(together.losses.map((l) => l[i]), alone.losses.map((l) => l[0]), `member ${i} losses`);
      assert.deepEqual(together.params[i], alone.params[0], `member ${i} final parameters`);
    });
    assert.ok(together.losses[24]![0]! < together.losses[0]![0]!, "training lowers the loss");
  });

  test(`a diverging member is frozen and the others are bitwise unaffected (${backend})`, () => {
    const engine = new Engine({ backend });
    const exploding: MemberSpec = { seed: 5, lr: 1e38 }; // overflows float32 within a few steps
    const run = trainPopulation(engine, [members[0]!, exploding, members[2]!], 20);
    assert.deepEqual(run.frozen, [1]);
    const lastOfDiverged = run.losses[19]![1]!;
    assert.ok(!Number.isFinite(lastOfDiverged) || run.losses.some((l) => !Number.isFinite(l[1]!)), "member 1 diverged");
    for (const [i, spec] of [[0, members[0]!], [2, members[2]!]] as const) {
      const alone = trainPopulation(engine, [spec], 20);
      assert.deepEqual(run.losses.map((l) => l[i]), alone.losses.map((l) => l[0]), `member ${i} losses`);
      assert.deepEqual(run.params[i], alone.params[0], `member ${i} parameters`);
    }
  });
}

test("the same seeds give bitwise identical training", () => {
  const a = trainPopulation(new Engine(), members, 15);
  const b = trainPopulation(new Engine(), members, 15);
  assert.deepEqual(a.losses, b.losses);
  assert.deepEqual(a.params, b.params);
});
