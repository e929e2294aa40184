// Splits, held-out slices and fits follow what runs are, not the store's random
// ids: the same runs under other run and sweep ids, listed in another order, give
// the same splits, the same held-out slices and a model with the same predictions.

import { test } from "node:test";
import assert from "node:assert/strict";
import { Rng, Stream } from "../../src/engine/index.js";
import { canonicalOrder, contentKeys } from "../../src/worldmodel/content-keys.js";
import { splitHeldOut } from "../../src/worldmodel/held-out.js";
import { makeSplit, relatedGroups, SPLIT_KINDS } from "../../src/worldmodel/splits.js";
import { WorldModel } from "../../src/worldmodel/model.js";
import type { Example } from "../../src/worldmodel/types.js";
import { syntheticExamples } from "./synthetic.js";

/** 200 runs: 20 sweeps of 5, 100 lone runs, and a fork of every tenth lone run. */
function store(): Example[] {
  const runs = syntheticExamples({ n: 200, seed: 4 });
  runs.forEach((e, i) => (e.sweepId = i < 100 ? `sweep-${Math.floor(i / 5)}` : null));
  const forks = runs.filter((_, i) => i >= 100 && i % 10 === 0).map((p, k): Example => ({
    ...p, runId: `fork-${k}`, configId: `${p.configId}-lr-half`, fork: { parentRunId: p.runId, forkStep: 300 }, sweepId: null,
  }));
  return [...runs, ...forks];
}

/** The same runs with fresh run and sweep ids (parents followed), in a shuffled order. */
function relabelled(runs: readonly Example[], seed: number): Example[] {
  const rng = new Rng(seed, Stream.shuffle);
  const fresh = (old: string) => `${old.length}-${rng.int(1_000_000_000).toString(36)}`;
  const runIds = new Map(runs.map((e) => [e.runId, fresh(e.runId)]));
  const sweepIds = new Map(runs.filter((e) => e.sweepId).map((e) => [e.sweepId!, `s-${rng.int(1_000_000_000)}`]));
  const out = runs.map((e): Example => ({
    ...e, runId: runIds.get(e.runId)!, sweepId: e.sweepId ? sweepIds.get(e.sweepId)! : null,
    fork: e.fork ? { ...e.fork, parentRunId: runIds.get(e.fork.parentRunId)! } : null,
  }));
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

const keyList = (examples: readonly Example[]) => {
  const keys = contentKeys(examples);
  return examples.map((e) => keys.get(e)!);
};

test("content keys: a fork's key names its parent and step; keys are unique here", () => {
  const runs = store();
  const keys = contentKeys(runs);
  assert.equal(new Set(keys.values()).size, runs.length);
  const fork = runs.find((e) => e.fork)!;
  const parent = runs.find((e) => e.runId === fork.fork!.parentRunId)!;
  assert.equal(keys.get(fork), `${fork.configId}@300<${parent.configId}`);
  // without its parent a fork still has a key, and not a random one
  assert.equal(contentKeys([fork]).get(fork), `${fork.configId}@300`);
});

test("splits and related groups do not depend on run ids, sweep ids or order", () => {
  const runs = store();
  const other = relabelled(runs, 9);
  assert.notDeepEqual(other.map((e) => e.runId).sort(), runs.map((e) => e.runId).sort());
  for (const kind of SPLIT_KINDS) {
    for (const seed of [0, 1]) {
      const [a, b] = [makeSplit(kind, runs, seed), makeSplit(kind, other, seed)];
      assert.deepEqual(keyList(b.test), keyList(a.test), `${kind} ${seed}: test side`);
      assert.deepEqual(keyList(b.train), keyList(a.train), `${kind} ${seed}: train side`);
    }
  }
  const keysOf = (groups: Map<string, Example[]>) => [...groups.keys()].sort();
  assert.deepEqual(keysOf(relatedGroups(other)), keysOf(relatedGroups(runs)));
  // the random split keeps sweeps whole, as before
  const split = makeSplit("random", other, 0);
  const testSide = new Set(split.test);
  for (const group of relatedGroups(other).values()) {
    const held = group.filter((e) => testSide.has(e)).length;
    assert.ok(held === 0 || held === group.length);
  }
});

test("held-out slices do not depend on run ids or order", () => {
  const runs = store();
  const other = relabelled(runs, 10);
  const [a, b] = [splitHeldOut(runs, 3, 0.2), splitHeldOut(other, 3, 0.2)];
  for (const slice of ["train", "stop", "calibrate"] as const) {
    assert.deepEqual(keyList(canonicalOrder(b[slice])), keyList(canonicalOrder(a[slice])), slice);
  }
});

test("a fit on the same runs under other ids and in another order predicts the same", async () => {
  const runs = store();
  const fit = { members: 2, hidden: [24], steps: 60, batchSize: 32, lr: 3e-3, seed: 1, evalEvery: 20 };
  const [a, b] = [new WorldModel(fit), new WorldModel(fit)];
  await a.fit(runs);
  await b.fit(relabelled(runs, 11));
  const queries = runs.slice(0, 6).map((e) => ({ config: e.config }));
  assert.deepEqual(await b.predict(queries), await a.predict(queries));
});
