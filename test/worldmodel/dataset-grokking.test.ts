// Grokking probes of the standing dataset: deterministic and prefix-stable per
// kind and index, valid experiments within their cost budget, spread over each
// kind's knobs (weight decay with and without, train fraction or train size,
// modulus or bit count), and enqueued once: a second call finds them stored.

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore } from "../../src/store/index.js";
import { validateExperiment } from "../../src/universe/config/validate.js";
import { estimateCost } from "../../src/universe/generate/index.js";
import { finish } from "../../src/universe/generate/normalize.js";
import { PROBE_MAX_SECONDS, PROBE_MIN_STEPS, enqueueGrokkingProbes, planGrokkingProbes, type PlannedProbe } from "../../src/worldmodel/dataset-grokking.js";
import { datasetRuns } from "../../src/worldmodel/dataset.js";
import { PROBE_KINDS, probeKinds, type ProbeKind } from "../../src/worldmodel/probes/index.js";

const ofKind = (probes: PlannedProbe[], kind: ProbeKind) => probes.filter((p) => p.kind === kind);
const ids = (probes: PlannedProbe[]) => probes.map((p) => p.run.configId);

/** Checks shared by every kind; returns the validated configs. */
function checkKind(probes: PlannedProbe[], kind: ProbeKind, seed: number) {
  return probes.map((p, i) => {
    assert.equal(p.name, `wm-${seed}-${PROBE_KINDS[kind].tag}${i}`);
    assert.equal(p.run.name, p.name);
    const v = validateExperiment(p.run.config);
    assert.ok(v.ok, `${p.name} validates`);
    assert.equal(v.id, p.run.configId);
    assert.equal(v.config.task.family, kind);
    assert.equal(v.config.train.optimizer, "adamw");
    assert.equal(v.config.train.batchSize, "full");
    const cost = estimateCost(finish(p.run.config)!.norm).total;
    assert.ok(Math.abs(cost - p.estimatedSeconds) < 1e-9);
    assert.ok(cost <= PROBE_MAX_SECONDS || v.config.train.steps === PROBE_MIN_STEPS, `${p.name}: ${cost.toFixed(1)} s for ${v.config.train.steps} steps`);
    return v.config;
  });
}

function checkDecays(decays: number[]) {
  const noDecay = decays.filter((d) => d === 0).length;
  assert.ok(noDecay > 10 && noDecay < 60, `about one in six without weight decay: ${noDecay}`);
  assert.ok(Math.min(...decays.filter((d) => d > 0)) < 0.2 && Math.max(...decays) > 1, "weight decay spans decades");
}

test("probes are deterministic and prefix-stable per kind, with distinct names and streams", () => {
  const probes = planGrokkingProbes(4000, 3);
  assert.equal(probes.length, 200 * probeKinds.length, "5% of the planned runs per kind");
  assert.deepEqual(ids(planGrokkingProbes(4000, 3)), ids(probes));
  for (const kind of probeKinds) {
    const all = ofKind(probes, kind);
    assert.equal(all.length, 200);
    assert.deepEqual(ids(ofKind(planGrokkingProbes(1000, 3), kind)), ids(all.slice(0, 50)), `${kind}: a shorter plan is a prefix`);
    assert.notDeepEqual(ids(ofKind(planGrokkingProbes(1000, 4), kind)), ids(all.slice(0, 50)));
  }
  assert.equal(new Set(probes.map((p) => p.name)).size, probes.length, "names are unique across kinds");
  const tags = probeKinds.map((k) => PROBE_KINDS[k].tag), streams = probeKinds.map((k) => PROBE_KINDS[k].streamSeed);
  assert.equal(new Set(tags).size, tags.length);
  assert.equal(new Set(streams).size, streams.length);
  assert.equal(planGrokkingProbes(4000, 3, 0).length, 0);
});

test("the standing dataset's probes stay the same configs (stored datasets resume by name and config id)", () => {
  const first = Object.fromEntries(planGrokkingProbes(20, 0).map((p) => [p.name, p.run.configId]));
  assert.equal(first["wm-0-g0"], "52a9128c322ee4f6");
  assert.equal(first["wm-0-p0"], "dec39e1d36e95734");
});

test("modular-arithmetic probes are valid, within budget and spread over the phase diagram", () => {
  const configs = checkKind(ofKind(planGrokkingProbes(4000, 3), "modular-arithmetic"), "modular-arithmetic", 3);
  const tasks = configs.map((c) => c.task as unknown as { p: number; trainFraction: number });
  checkDecays(configs.map((c) => c.train.weightDecay));
  const fractions = tasks.map((t) => t.trainFraction);
  assert.ok(Math.min(...fractions) < 0.35 && Math.max(...fractions) > 0.7, "train fractions span the range");
  assert.ok(new Set(tasks.map((t) => t.p)).size >= 3, "several moduli");
});

test("sparse-parity probes are valid, within budget and spread over data size, bits and depth", () => {
  const configs = checkKind(ofKind(planGrokkingProbes(4000, 3), "sparse-parity"), "sparse-parity", 3);
  const tasks = configs.map((c) => c.task as unknown as { n: number; k: number; trainSize: number; noise: number });
  checkDecays(configs.map((c) => c.train.weightDecay));
  const sizes = tasks.map((t) => t.trainSize);
  assert.ok(Math.min(...sizes) < 250 && Math.max(...sizes) > 1000, `train sizes span a decade: ${Math.min(...sizes)}-${Math.max(...sizes)}`);
  assert.ok(tasks.every((t) => t.k <= t.n && t.noise === 0), "k <= n, clean labels (test accuracy can reach 0.95)");
  assert.deepEqual([...new Set(tasks.map((t) => t.k))].sort(), [2, 3, 4]);
  assert.ok(new Set(tasks.map((t) => t.n)).size >= 3, "several bit counts");
  const depths = configs.map((c) => (c.model as { children: { unit: string }[] }).children.filter((u) => u.unit === "linear").length);
  assert.ok(depths.includes(1) && depths.includes(2), "one and two hidden layers");
});

test("probes are enqueued once: a second call finds them stored (and requeues a cancelled one)", async () => {
  const dir = mkdtempSync(join(tmpdir(), "toyworld-wm-probes-"));
  const store = await openStore(join(dir, "wm.db"));
  try {
    const probes = planGrokkingProbes(100, 5);
    const first = await enqueueGrokkingProbes(store, probes, await datasetRuns(store, 5));
    assert.deepEqual(first, { planned: 10, present: 0, requeued: 0, enqueued: 10 });
    const queued = (await store.listRuns()).filter((r) => r.status === "queued").map((r) => r.name).sort();
    assert.deepEqual(queued, [0, 1, 2, 3, 4].flatMap((i) => [`wm-5-g${i}`, `wm-5-p${i}`]).sort());
    const g2 = (await store.listRuns()).find((r) => r.name === "wm-5-g2")!;
    await store.cancelRuns([g2.id]);
    const longer = await enqueueGrokkingProbes(store, planGrokkingProbes(160, 5), await datasetRuns(store, 5));
    assert.deepEqual(longer, { planned: 16, present: 10, requeued: 1, enqueued: 6 });
    assert.equal((await store.getRun(g2.id))!.status, "queued");
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
