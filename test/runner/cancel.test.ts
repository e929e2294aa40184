// The queue executor and cancelled runs: a run cancelled while its population
// trains is noticed at the next heartbeat and its result is never offered to the
// store; a run cancelled after the last heartbeat is refused by finish. Either way
// the other members of the population are stored with their checkpoints, and the
// summary counts the cancelled run. A population all of whose runs are cancelled
// has its job aborted. The worker pool is a stand-in whose training job ends when
// the test says so or when its signal is aborted, as the real pool's does (the
// executor only needs `threads` and `run`).

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import type { WorkerPool } from "../../src/engine/pool.js";
import { processQueue } from "../../src/runner/executor.js";
import type { GroupJob, GroupJobResult } from "../../src/runner/job.js";
import type { MemberResult } from "../../src/runner/record.js";
import { openStore, type RunResult, type Store } from "../../src/store/index.js";

const dir = mkdtempSync(join(tmpdir(), "toyworld-cancel-"));
after(() => rmSync(dir, { recursive: true, force: true }));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function memberResult(): MemberResult {
  const curve = (v: number) => [v, v / 2];
  const curves = {
    step: [0, 10], train_loss: curve(1), test_loss: curve(1.1), train_acc: curve(0.5), test_acc: curve(0.4), grad_norm: curve(2),
    param_norm: curve(3), update_ratio: curve(0.01), lr: curve(0.1), wall_time: [0, 0.5],
  };
  return { status: "completed", divergedAt: null, curves };
}

/**
 * A pool of one thread whose trainGroup jobs wait for `release()`, then return one
 * result and checkpoint per member; an aborted job rejects at once with an AbortError.
 */
function heldPool(): { pool: WorkerPool; started: Promise<void>; release(): void; aborted: string[] } {
  let start: () => void = () => undefined, release: () => void = () => undefined;
  const started = new Promise<void>((r) => (start = r));
  const released = new Promise<void>((r) => (release = r));
  const aborted: string[] = [];
  const pool = {
    threads: 1,
    async run<T>(_module: string, fn: string, args: GroupJob, options: { signal?: AbortSignal } = {}): Promise<T> {
      assert.equal(fn, "trainGroup");
      start();
      const signal = options.signal;
      const abortedJob = new Promise<never>((_, reject) => signal?.addEventListener("abort", () => {
        aborted.push(...args.configs.map((c) => String(c.train.seed)));
        reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
      }));
      await Promise.race([released, abortedJob]);
      const out: GroupJobResult = {
        results: args.configs.map(() => memberResult()),
        checkpoints: args.configs.map((_, member) => ({ member, step: 10, data: new Uint8Array([member + 1]) })),
      };
      return out as T;
    },
  };
  return { pool: pool as unknown as WorkerPool, started, release, aborted };
}

/** The store, with the ids finish was called for. */
function spyOnFinish(store: Store): { store: Store; finished: string[] } {
  const finished: string[] = [];
  const spy = new Proxy(store, {
    get(target, key) {
      if (key === "finish") {
        return (id: string, worker: string, r: RunResult) => {
          finished.push(id);
          return target.finish(id, worker, r);
        };
      }
      const value = Reflect.get(target, key) as unknown;
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { store: spy, finished };
}

/** Two runs that train as one population (they differ only in the seed), claimed as members 0 and 1. */
async function twoMembers(store: Store, family: string): Promise<[string, string]> {
  const config = (seed: number) => ({ task: { family, seed: 0 }, model: { unit: "mlp", width: 4 }, train: { seed, steps: 10 } });
  const ids = await store.enqueue([0, 1].map((seed) => ({ configId: `${family}-${seed}`, config: config(seed), family, priority: 1 - seed })));
  return [ids[0]!, ids[1]!];
}

for (const when of ["noticed at a heartbeat", "after the last heartbeat"] as const) {
  test(`a run cancelled while it trains (${when}) stores nothing; the rest of its population is stored`, async () => {
    const store = await openStore(join(dir, `${when.replaceAll(" ", "-")}.db`));
    try {
      const [cancelled, kept] = await twoMembers(store, "cancel-exec");
      const { pool, started, release, aborted } = heldPool();
      const spy = spyOnFinish(store);
      const outcomes: string[] = [];
      // a 300 ms lease heartbeats every 100 ms; a 60 s lease not at all during the test
      const leaseMs = when === "noticed at a heartbeat" ? 300 : 60_000;
      const working = processQueue({
        store: spy.store, pool, worker: "test:1", leaseMs, onRunFinished: (run, o) => outcomes.push(`${run.id} ${o.status}`),
      });
      await started;
      assert.deepEqual((await store.listRuns({ status: "running" })).map((r) => r.id).sort(), [cancelled, kept].sort());
      assert.deepEqual(await store.cancelRuns([cancelled]), [cancelled]);
      await sleep(350);
      release();
      const summary = await working;

      assert.deepEqual(summary, { completed: 1, diverged: 0, failed: 0, cancelled: 1 });
      assert.deepEqual(aborted, [], "the job went on for the member still held");
      assert.deepEqual(outcomes.sort(), [`${cancelled} cancelled`, `${kept} completed`].sort());
      if (when === "noticed at a heartbeat") assert.deepEqual(spy.finished, [kept], "the worker did not offer the cancelled run's result");
      else assert.deepEqual(spy.finished.sort(), [cancelled, kept].sort(), "finish was tried, and refused");
      const c = (await store.getRun(cancelled))!, k = (await store.getRun(kept))!;
      assert.deepEqual([c.status, c.worker, c.wallSeconds], ["cancelled", "test:1", null]);
      assert.equal(k.status, "completed");
      const curves = await store.getCurves([cancelled, kept]);
      assert.deepEqual([curves.has(cancelled), curves.has(kept)], [false, true]);
      assert.deepEqual(await store.listCheckpointSteps(cancelled), [], "no checkpoint of the cancelled run");
      assert.deepEqual((await store.getCheckpoint(kept, 10))!.data, new Uint8Array([2]), "the kept member's own checkpoint");
    } finally {
      await store.close();
    }
  });
}

test("a population all of whose runs are cancelled has its job aborted; the worker stores nothing and moves on", async () => {
  const store = await openStore(join(dir, "all-cancelled.db"));
  try {
    const [a, b] = await twoMembers(store, "cancel-all");
    const { pool, started, aborted } = heldPool();
    const spy = spyOnFinish(store);
    const outcomes: string[] = [];
    const working = processQueue({ store: spy.store, pool, worker: "test:1", leaseMs: 300, onRunFinished: (run, o) => outcomes.push(`${run.id} ${o.status}`) });
    await started;
    assert.deepEqual((await store.cancelRuns([a, b])).sort(), [a, b].sort());
    // never released: the job only ends by being aborted at a heartbeat (every 100 ms)
    const timeout = sleep(5_000).then(() => "still training after 5 s");
    const summary = await Promise.race([working, timeout]);
    assert.deepEqual(summary, { completed: 0, diverged: 0, failed: 0, cancelled: 2 });
    assert.deepEqual(aborted.sort(), ["0", "1"]);
    assert.deepEqual(spy.finished, []);
    assert.deepEqual(outcomes.sort(), [`${a} cancelled`, `${b} cancelled`].sort());
    for (const id of [a, b]) {
      const r = (await store.getRun(id))!;
      assert.deepEqual([r.status, r.error], ["cancelled", null]);
    }
  } finally {
    await store.close();
  }
});
