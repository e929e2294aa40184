// The standing dataset: its plan is deterministic and prefix-stable, every run
// validates within the budget, sweeps are one-at-a-time (their runs differ in
// exactly the sweep's path), seed replicates differ from their originals in seeds
// only, and building it in a store, forks and replicates included, is resumable
// (runs of the plan that were cancelled go back in the queue).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { WorkerPool } from "../../src/engine/pool.js";
import { openStore } from "../../src/store/index.js";
import { validateExperiment } from "../../src/universe/config/validate.js";
import { MIN_SWEEP_POINTS, planDataset, type DatasetBudget } from "../../src/worldmodel/dataset-plan.js";
import { datasetRuns, enqueueDataset, generateDataset } from "../../src/worldmodel/dataset.js";
import { enqueueForks, planForks } from "../../src/worldmodel/dataset-forks.js";
import { enqueueReplicates, planReplicates } from "../../src/worldmodel/dataset-replicates.js";
import { configLeaves, differingPaths, isSinglePathChange } from "../../src/worldmodel/pairs.js";

test("the plan is deterministic, prefix-stable, valid, within budget, and its sweeps are one-at-a-time", () => {
  const plan = planDataset(80, 11);
  assert.equal(plan.length, 80);
  assert.deepEqual(planDataset(80, 11).map((p) => p.configId), plan.map((p) => p.configId), "same seed, same plan");
  assert.deepEqual(planDataset(30, 11).map((p) => p.configId), plan.slice(0, 30).map((p) => p.configId), "a shorter plan is a prefix");
  assert.notDeepEqual(planDataset(10, 12).map((p) => p.configId), plan.slice(0, 10).map((p) => p.configId));
  for (const p of plan) {
    const v = validateExperiment(p.input);
    assert.ok(v.ok && v.id === p.configId, `${p.name} validates to its id`);
    assert.equal(p.name, `wm-11-${p.index}`);
    assert.ok(p.estimatedSeconds <= 3 && p.paramCount <= 100_000, `${p.name} within budget`);
  }
  const sweeps = new Map<string, typeof plan>();
  for (const p of plan) if (p.sweep) sweeps.set(p.sweep.name, [...(sweeps.get(p.sweep.name) ?? []), p]);
  const inSweeps = plan.filter((p) => p.sweep).length;
  assert.ok(sweeps.size >= 2 && inSweeps > 10 && inSweeps < 70, `${sweeps.size} sweeps, ${inSweeps} runs in them: a mix`);
  for (const [name, runs] of sweeps) {
    const { knob, path } = runs[0]!.sweep!;
    const last = runs.at(-1)!.index === plan.length - 1;
    assert.ok(runs.length >= MIN_SWEEP_POINTS || last, `${name} has enough points`);
    assert.equal(new Set(runs.map((r) => r.configId)).size, runs.length, "distinct points");
    const leaves = runs.map((r) => configLeaves(r.config));
    for (let i = 0; i < runs.length; i++) {
      for (let j = i + 1; j < runs.length; j++) {
        const diff = differingPaths(leaves[i]!, leaves[j]!);
        assert.ok(isSinglePathChange(diff), `${name} (${knob}): ${diff.join(", ")}`);
        if (knob !== "task.difficulty") assert.deepEqual(diff, [path], `${name}: only ${path} differs`);
      }
    }
  }
});

test("seed replicates: deterministic, prefix-stable, only the seeds differ from the original", () => {
  const plan = planDataset(60, 11);
  const all = planReplicates(plan, 11, 1, 0);
  assert.equal(all.length, plan.filter((p) => !p.sweep).length, "fraction 1: every independent sample");
  const some = planReplicates(plan, 11, undefined, 0);
  assert.ok(some.length < all.length / 4, `the default fraction replicates a few (${some.length})`);
  assert.deepEqual(planReplicates(plan.slice(0, 30), 11, 1, 0).map((r) => r.name), all.filter((r) => r.original.index < 30).map((r) => r.name));
  const sweepPoints = planReplicates(plan, 11, 0, 1);
  assert.deepEqual(sweepPoints.map((r) => r.original.name), plan.filter((p) => p.sweep).map((p) => p.name), "sweep fraction 1: every sweep point");
  // sweeps are drawn whole: a sweep is replicated with all of its points or not at all
  const longPlan = planDataset(400, 11);
  const half = planReplicates(longPlan, 11, 0, 0.5);
  const chosen = new Set(half.map((r) => r.original.sweep!.name));
  const sweepCount = new Set(longPlan.filter((p) => p.sweep).map((p) => p.sweep!.name)).size;
  assert.ok(chosen.size > 0.25 * sweepCount && chosen.size < 0.75 * sweepCount, `${chosen.size} of ${sweepCount} sweeps`);
  assert.deepEqual(half.map((r) => r.original.name), longPlan.filter((p) => p.sweep && chosen.has(p.sweep.name)).map((p) => p.name));
  assert.deepEqual(planReplicates(longPlan.slice(0, 200), 11, 0, 0.5).map((r) => r.name), half.filter((r) => r.original.index < 200).map((r) => r.name), "prefix-stable");
  for (const r of [...all, ...sweepPoints]) {
    assert.equal(r.name, `wm-11-r${r.original.index}`);
    const v = validateExperiment(r.run.config);
    assert.ok(v.ok && v.id === r.run.configId, `${r.name} validates to its id`);
    assert.notEqual(r.run.configId, r.original.configId);
    assert.deepEqual(differingPaths(configLeaves(r.original.config), configLeaves(r.run.config)).filter((p) => p !== "name"), ["task.seed", "train.seed"]);
  }
});

test("forks: a larger fraction keeps every fork of a smaller one, with the same intervention", () => {
  const plan = planDataset(200, 11);
  const few = planForks(plan, 11, 0.08), many = planForks(plan, 11, 0.25);
  assert.ok(few.length > 0 && many.length > few.length, `${few.length} < ${many.length}`);
  const byName = new Map(many.map((f) => [f.name, f]));
  for (const f of few) {
    assert.deepEqual(byName.get(f.name)?.interventions, f.interventions, `${f.name} kept`);
    assert.equal(byName.get(f.name)?.forkStep, f.forkStep);
  }
});

const TINY: DatasetBudget = { sampleSeconds: 0.25, anchorSeconds: 0.15, pointSeconds: 0.4, maxParams: 20_000 };

test("building the dataset is resumable: a second call enqueues nothing, a longer one only the rest", async () => {
  const dir = mkdtempSync(join(tmpdir(), "toyworld-wm-dataset-"));
  const store = await openStore(join(dir, "wm.db"));
  const pool = new WorkerPool({ threads: 1 });
  try {
    // seed 8: three samples, then a sweep that the first call cuts after its first point
    // every sample gets a fork here (forkFraction 1), once its parent has completed, and a seed replicate
    const first = await generateDataset(store, pool, { runs: 4, seed: 8, budget: TINY, forkFraction: 1, replicateFraction: 1, sweepReplicateFraction: 0 });
    assert.equal(first.enqueued, 4);
    assert.deepEqual(first.probes, { planned: 0, present: 0, requeued: 0, enqueued: 0 }, "5% of 4 runs rounds to no grokking probe");
    assert.deepEqual(first.replicates, { planned: 3, present: 0, requeued: 0, enqueued: 3 });
    const replicas = (await store.listRuns()).filter((r) => r.name?.startsWith("wm-8-r"));
    assert.deepEqual(replicas.map((r) => r.name).sort(), ["wm-8-r0", "wm-8-r1", "wm-8-r2"]);
    const parents = (await store.listRuns()).filter((r) => !r.lineage && !r.name?.startsWith("wm-8-r"));
    const completedSamples = parents.filter((r) => r.status === "completed" && r.sweepId === null);
    assert.equal(first.forks.planned, 3);
    assert.equal(first.forks.enqueued, completedSamples.length);
    assert.equal(first.completed + first.diverged, 4 + 3 + first.forks.enqueued);
    const replicasAgain = await enqueueReplicates(store, planReplicates(planDataset(4, 8, TINY), 8, 1, 0), await datasetRuns(store, 8));
    assert.deepEqual(replicasAgain, { planned: 3, present: 3, requeued: 0, enqueued: 0 });
    const forks = (await store.listRuns()).filter((r) => r.lineage);
    assert.ok(forks.length > 0, "some forks were trained");
    for (const f of forks) {
      const parent = parents.find((r) => r.id === f.lineage!.parentRunId)!;
      assert.equal(f.name, `wm-8-f${parent.name!.slice("wm-8-".length)}`);
      assert.equal(f.lineage!.forkStep, Math.round(0.3 * (parent.config as { train: { steps: number } }).train.steps));
      assert.ok(["completed", "diverged"].includes(f.status), `${f.name} trained: ${f.status} ${f.error ?? ""}`);
    }
    const forksAgain = await enqueueForks(store, planForks(planDataset(4, 8, TINY), 8, 1), await datasetRuns(store, 8));
    assert.deepEqual({ present: forksAgain.present, enqueued: forksAgain.enqueued }, { present: forks.length, enqueued: 0 });
    const runs = parents;
    assert.deepEqual(runs.map((r) => r.name).sort(), ["wm-8-0", "wm-8-1", "wm-8-2", "wm-8-3"]);
    const plan = planDataset(4, 8, TINY);
    for (const p of plan) {
      const run = runs.find((r) => r.name === p.name)!;
      assert.equal(run.configId, p.configId);
      assert.equal(run.sweepId !== null, p.sweep !== null, `${p.name}: sweep id iff planned in a sweep`);
    }

    const again = await enqueueDataset(store, { runs: 4, seed: 8, budget: TINY });
    assert.deepEqual({ present: again.present, enqueued: again.enqueued, sweeps: again.sweepsCreated }, { present: 4, enqueued: 0, sweeps: 0 });
    const longer = await enqueueDataset(store, { runs: 7, seed: 8, budget: TINY });
    assert.deepEqual({ present: longer.present, enqueued: longer.enqueued }, { present: 4, enqueued: 3 });
    const counts = await store.countRuns();
    assert.equal(counts.queued, 3);
    // the sweep cut by the first call keeps its id when the rest of it is enqueued
    const inSweep = planDataset(7, 8, TINY).filter((q) => q.sweep).map((q) => q.name);
    assert.deepEqual(inSweep, ["wm-8-3", "wm-8-4", "wm-8-5", "wm-8-6"]);
    const all = await store.listRuns();
    const ids = new Set(all.filter((r) => inSweep.includes(r.name!)).map((r) => r.sweepId));
    assert.equal(ids.size, 1);
    const sweepId = [...ids][0];
    assert.ok(sweepId, "the sweep's runs carry its id");
    assert.equal((await store.getSweep(sweepId))?.name, "wm-8-s3");
  } finally {
    await pool.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("sweep replicates join their original's sweep, and wait until it is stored", async () => {
  const dir = mkdtempSync(join(tmpdir(), "toyworld-wm-sweep-replicates-"));
  const store = await openStore(join(dir, "wm.db"));
  try {
    // seed 8, 7 runs: three samples, then the sweep wm-8-s3 of four points
    const plan = planDataset(7, 8, TINY);
    const replicates = planReplicates(plan, 8, 0, 1);
    assert.deepEqual(replicates.map((r) => r.name), ["wm-8-r3", "wm-8-r4", "wm-8-r5", "wm-8-r6"]);
    const early = await enqueueReplicates(store, replicates, await datasetRuns(store, 8));
    assert.deepEqual(early, { planned: 4, present: 0, requeued: 0, enqueued: 0 }, "no sweep to join yet");

    await enqueueDataset(store, { runs: 7, seed: 8, budget: TINY });
    const summary = await enqueueReplicates(store, replicates, await datasetRuns(store, 8));
    assert.deepEqual(summary, { planned: 4, present: 0, requeued: 0, enqueued: 4 });
    const runs = await store.listRuns();
    const sweepId = runs.find((r) => r.name === "wm-8-3")!.sweepId;
    assert.ok(sweepId);
    for (const r of replicates) {
      const stored = runs.find((x) => x.name === r.name)!;
      assert.equal(stored.sweepId, sweepId, `${r.name} joins the sweep of ${r.original.name}`);
      assert.equal(stored.configId, r.run.configId);
    }
    const again = await enqueueReplicates(store, replicates, await datasetRuns(store, 8));
    assert.deepEqual(again, { planned: 4, present: 4, requeued: 0, enqueued: 0 });
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test("resuming a build requeues the runs of the plan that were cancelled: samples, sweep points, replicates and forks", async () => {
  const dir = mkdtempSync(join(tmpdir(), "toyworld-wm-requeue-"));
  const store = await openStore(join(dir, "wm.db"));
  try {
    // seed 8, 7 runs: three samples, then the sweep wm-8-s3 of four points
    const plan = planDataset(7, 8, TINY);
    await enqueueDataset(store, { runs: 7, seed: 8, budget: TINY });
    const replicates = planReplicates(plan, 8, 1, 0);
    await enqueueReplicates(store, replicates, await datasetRuns(store, 8));
    const byName = async () => new Map((await store.listRuns()).map((r) => [r.name!, r]));
    let runs = await byName();
    // a worker takes everything: the samples complete (a stand-in result is enough for
    // their forks), a sweep point fails, another and a replicate are cancelled
    assert.equal((await store.claim("w:1", 20, 60_000)).length, 10);
    for (const id of ["wm-8-0", "wm-8-1", "wm-8-2"].map((n) => runs.get(n)!.id)) {
      const steps = Int32Array.from([0, 1]), values = Float64Array.from([1, 0.5]);
      await store.finish(id, "w:1", { status: "completed", divergedAt: null, wallSeconds: 1, paramCount: 10, curves: { train_loss: { steps, values } } });
    }
    await store.fail(runs.get("wm-8-3")!.id, "w:1", "boom");
    await store.cancelRuns([runs.get("wm-8-4")!.id, runs.get("wm-8-r1")!.id]);

    const resumed = await enqueueDataset(store, { runs: 7, seed: 8, budget: TINY });
    assert.deepEqual({ present: resumed.present, pending: resumed.pending, requeued: resumed.requeued, enqueued: resumed.enqueued },
      { present: 7, pending: 2, requeued: 1, enqueued: 0 }, "the cancelled sweep point is back in the queue, nothing is enqueued twice");
    assert.deepEqual(await enqueueReplicates(store, replicates, await datasetRuns(store, 8)), { planned: 3, present: 3, requeued: 1, enqueued: 0 });
    runs = await byName();
    assert.equal(runs.get("wm-8-4")!.status, "queued");
    assert.equal(runs.get("wm-8-r1")!.status, "queued");
    assert.equal(runs.get("wm-8-3")!.status, "failed", "a failure is left for a person to look at (toyworld requeue)");
    assert.equal(runs.size, 7 + 3, "one run per name");

    const forks = planForks(plan, 8, 1);
    assert.equal((await enqueueForks(store, forks, await datasetRuns(store, 8))).enqueued, 3);
    await store.cancelRuns([(await byName()).get("wm-8-f1")!.id]);
    const forksAgain = await enqueueForks(store, forks, await datasetRuns(store, 8));
    assert.deepEqual({ present: forksAgain.present, requeued: forksAgain.requeued, enqueued: forksAgain.enqueued }, { present: 3, requeued: 1, enqueued: 0 });
    assert.deepEqual((await store.countRuns()).cancelled, 0);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
