// `toyworld demo` round keeping on a temporary SQLite store: a fresh store starts
// round 0, an unfinished round is resumed, a finished one moves on to the next
// seed, and the what-if question goes to a cheap, completed, stand-alone run.
// (The whole demo trains hundreds of runs: it is measured in the README, not here.)

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { DEMO_SEED_BASE, nextRound, pickQuestionRun } from "../../src/cli/demo.js";
import { openStore, type RunRecord, type RunResult, type Store } from "../../src/store/index.js";

const dir = mkdtempSync(join(tmpdir(), "toyworld-demo-"));
let store: Store;
before(async () => {
  store = await openStore(join(dir, "store.db"));
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const result: RunResult = {
  status: "completed", divergedAt: null, wallSeconds: 1, paramCount: 10,
  curves: { test_loss: { steps: Int32Array.from([0, 10]), values: Float64Array.from([1, 0.5]) } },
};

async function putRuns(seed: number, count: number, finished: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const run = { configId: `c-${seed}-${i}`, config: { i }, family: "synthetic", name: `wm-${seed}-${i}` };
    if (i < finished) await store.insertFinished(run, result);
    else await store.enqueue([run]);
  }
}

test("rounds: start at the base seed, resume an unfinished round, then move on", async () => {
  assert.deepEqual(await nextRound(store, 4), { round: 0, seed: DEMO_SEED_BASE, resumed: false });
  await putRuns(DEMO_SEED_BASE, 4, 3); // one run still queued
  assert.deepEqual(await nextRound(store, 4), { round: 0, seed: DEMO_SEED_BASE, resumed: true });
  const queued = await store.listRuns({ status: "queued" });
  await store.claim("w", 10, 60_000);
  for (const r of queued) assert.ok(await store.finish(r.id, "w", result));
  assert.deepEqual(await nextRound(store, 4), { round: 1, seed: DEMO_SEED_BASE + 1, resumed: false });
  await putRuns(DEMO_SEED_BASE + 1, 2, 2); // interrupted before all runs were enqueued
  assert.deepEqual(await nextRound(store, 4), { round: 1, seed: DEMO_SEED_BASE + 1, resumed: true });
  // runs of other datasets (the standing dataset uses small seeds) do not count
  await putRuns(0, 3, 3);
  assert.equal((await nextRound(store, 4)).round, 1);
});

function record(id: string, over: Partial<RunRecord>): RunRecord {
  return {
    id, configId: id, config: {}, family: "f", name: id, status: "completed", sweepId: null, lineage: null, priority: 0,
    worker: null, attempts: 0, error: null, divergedAt: null, paramCount: 10, wallSeconds: 1, createdAt: 0,
    startedAt: null, finishedAt: null, leaseUntil: null, ...over,
  };
}

test("the question goes to a completed, cheap run outside sweeps, deterministically", () => {
  const runs = [
    record("a-diverged", { status: "diverged" }),
    record("b-sweep", { sweepId: "s" }),
    record("c-slow", { wallSeconds: 60 }),
    record("d-ok", {}),
    record("e-ok", {}),
  ];
  const first = pickQuestionRun(runs, 0);
  assert.equal(first?.id, "d-ok");
  assert.equal(pickQuestionRun([...runs].reverse(), 0)?.id, "d-ok", "independent of the listing order");
  assert.ok(["d-ok", "e-ok"].includes(pickQuestionRun(runs, 1)!.id));
  assert.equal(pickQuestionRun(runs.slice(0, 3), 0), null);
});
