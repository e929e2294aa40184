// Grokking probes of the standing dataset: deterministic and prefix-stable per
// index, valid modular-arithmetic experiments within their cost budget, spread
// over the phase diagram's knobs (weight decay with and without, train fraction,
// modulus), and enqueued once: a second call finds them stored.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/store/index.js";
import { validateExperiment } from "../../src/universe/config/validate.js";
import { estimateCost } from "../../src/universe/generate/index.js";
import { finish } from "../../src/universe/generate/normalize.js";
import { PROBE_MAX_SECONDS, PROBE_MIN_STEPS, enqueueGrokkingProbes, planGrokkingProbes } from "../../src/worldmodel/dataset-grokking.js";
import { datasetRuns } from "../../src/worldmodel/dataset.js";

test("probes are deterministic, prefix-stable, valid, within budget and spread over the phase diagram", () => {
  const probes = planGrokkingProbes(4000, 3);
  assert.equal(probes.length, 200, "5% of the planned runs");
  assert.deepEqual(planGrokkingProbes(4000, 3).map((p) => p.run.configId), probes.map((p) => p.run.configId));
  assert.deepEqual(planGrokkingProbes(1000, 3).map((p) => p.run.configId), probes.slice(0, 50).map((p) => p.run.configId), "a shorter plan is a prefix");
  assert.notDeepEqual(planGrokkingProbes(1000, 4).map((p) => p.run.configId), probes.slice(0, 50).map((p) => p.run.configId));
  assert.equal(planGrokkingProbes(4000, 3, 0).length, 0);

  const decays: number[] = [], fractions: number[] = [], moduli = new Set<number>();
  for (const [i, p] of probes.entries()) {
    assert.equal(p.name, `wm-3-g${i}`);
    assert.equal(p.run.name, p.name);
    const v = validateExperiment(p.run.config);
    assert.ok(v.ok, `${p.name} validates`);
    assert.equal(v.id, p.run.configId);
    const task = v.config.task as unknown as { family: string; p: number; trainFraction: number };
    assert.equal(task.family, "modular-arithmetic");
    assert.equal(v.config.train.optimizer, "adamw");
    assert.equal(v.config.train.batchSize, "full");
    const cost = estimateCost(finish(p.run.config)!.norm).total;
    assert.ok(Math.abs(cost - p.estimatedSeconds) < 1e-9);
    assert.ok(cost <= PROBE_MAX_SECONDS || v.config.train.steps === PROBE_MIN_STEPS, `${p.name}: ${cost.toFixed(1)} s for ${v.config.train.steps} steps`);
    decays.push(v.config.train.weightDecay);
    fractions.push(task.trainFraction);
    moduli.add(task.p);
  }
  const noDecay = decays.filter((d) => d === 0).length;
  assert.ok(noDecay > 10 && noDecay < 60, `about one in six without weight decay: ${noDecay}`);
  assert.ok(Math.min(...decays.filter((d) => d > 0)) < 0.2 && Math.max(...decays) > 1, "weight decay spans decades");
  assert.ok(Math.min(...fractions) < 0.35 && Math.max(...fractions) > 0.7, "train fractions span the range");
  assert.ok(moduli.size >= 3, `several moduli: ${[...moduli]}`);
});

test("probes are enqueued once: a second call finds them stored", async () => {
  const dir = mkdtempSync(join(tmpdir(), "toyworld-wm-probes-"));
  const store = await openStore(join(dir, "wm.db"));
  try {
    const probes = planGrokkingProbes(100, 5);
    const first = await enqueueGrokkingProbes(store, probes, await datasetRuns(store, 5));
    assert.deepEqual(first, { planned: 5, present: 0, enqueued: 5 });
    const queued = (await store.listRuns()).filter((r) => r.status === "queued").map((r) => r.name).sort();
    assert.deepEqual(queued, ["wm-5-g0", "wm-5-g1", "wm-5-g2", "wm-5-g3", "wm-5-g4"]);
    const longer = await enqueueGrokkingProbes(store, planGrokkingProbes(160, 5), await datasetRuns(store, 5));
    assert.deepEqual(longer, { planned: 8, present: 5, enqueued: 3 });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
