// The benchmark workloads train (the loss falls over 20 steps) and the population
// keeps its members independent: member 0 trains bit for bit like an mlp-small
// alone with member 0's weights and learning rate, and a member's numbers do not
// depend on how the population is split.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Engine, type Backend } from "../../src/engine/index.js";
import {
  buildWorkload, mlp, population, populationLr, populationMemberWeights, workloadNames,
} from "../../src/engine/bench/workloads.js";

const STEPS = 20;

for (const name of workloadNames) {
  test(`${name}: the loss decreases over ${STEPS} steps and memory is returned`, () => {
    const engine = new Engine();
    // a few members keep the population test fast; the full one is the same code
    const w = buildWorkload(name, { engine, members: name === "population" ? 4 : undefined });
    const losses = Array.from({ length: STEPS }, () => w.step());
    w.dispose();
    assert.ok(losses.every(Number.isFinite), `${name}: non-finite loss in ${losses}`);
    assert.ok(losses[STEPS - 1]! < losses[0]!, `${name}: loss went from ${losses[0]} to ${losses[STEPS - 1]}`);
    assert.equal(engine.heap.stats().liveBytes, 0, `${name}: dispose() leaves live buffers`);
  });
}

for (const backend of ["wasm", "reference"] as Backend[]) {
  test(`population member 0 equals mlp-small alone, bit for bit (${backend} kernels)`, () => {
    const engine = new Engine({ backend });
    const pop = population({ engine, members: 3 });
    const alone = mlp({ engine, widths: [64, 64, 64, 10], lr: populationLr(0), weights: populationMemberWeights(0, 0) });
    for (let s = 0; s < STEPS; s++) {
      pop.step();
      const l = alone.step();
      assert.ok(Object.is(pop.lastLosses[0], l), `step ${s}: member 0 loss ${pop.lastLosses[0]} vs alone ${l}`);
    }
    pop.dispose();
    alone.dispose();
  });

  test(`a member trains the same in any split of the population (${backend} kernels)`, () => {
    const engine = new Engine({ backend });
    const whole = population({ engine, members: 3 });
    const tail = population({ engine, first: 1, members: 2 });
    for (let s = 0; s < 5; s++) {
      whole.step();
      tail.step();
      assert.deepEqual(Array.from(tail.lastLosses), Array.from(whole.lastLosses.subarray(1)), `step ${s}`);
    }
    whole.dispose();
    tail.dispose();
  });
}
