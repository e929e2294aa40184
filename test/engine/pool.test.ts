// WorkerPool: jobs run in parallel on separate worker threads, each with its own
// engine; results come back and a job's error rejects with its original message.
// This file is also the job module: the workers import it and call its exports
// (the tests themselves are registered on the main thread only).

import { test } from "node:test";
import assert from "node:assert/strict";
import { isMainThread, threadId } from "node:worker_threads";
import { WorkerPool, workerEngine } from "../../src/engine/pool.js";
import type { Engine } from "../../src/engine/index.js";

const engineIds = new WeakMap<Engine, number>();
let nextEngineId = 0;

/**
 * Job: waits (up to 10 s) until `parties` jobs have arrived at the shared barrier,
 * which only succeeds if they run at the same time, then computes with the engine.
 */
export function barrierJob(args: { barrier: SharedArrayBuffer; parties: number; values: number[] }) {
  const count = new Int32Array(args.barrier);
  Atomics.add(count, 0, 1);
  Atomics.notify(count, 0);
  const deadline = Date.now() + 10_000;
  for (let seen = Atomics.load(count, 0); seen < args.parties; seen = Atomics.load(count, 0)) {
    if (Date.now() > deadline) throw new Error(`barrier: only ${seen} of ${args.parties} jobs arrived`);
    Atomics.wait(count, 0, seen, 100);
  }
  return engineJob(args);
}

/** Job: sums values on this worker's engine and names the engine. */
export function engineJob(args: { values: number[] }) {
  const engine = workerEngine();
  if (!engineIds.has(engine)) engineIds.set(engine, nextEngineId++ + threadId * 1000);
  const sum = engine.scope(() => engine.tensor(args.values).toFloat32().reduce((s, v) => s + v, 0));
  return { threadId, engineId: engineIds.get(engine)!, sum };
}

/** Job: always fails. */
export async function failingJob(args: { message: string }): Promise<never> {
  await Promise.resolve();
  throw new RangeError(args.message);
}

/** Job: says it started (adds 1 at the shared counter), then blocks its thread for up to 20 s, as a long training loop does. */
export function blockingJob(args: { started: SharedArrayBuffer }) {
  const count = new Int32Array(args.started);
  Atomics.add(count, 0, 1);
  Atomics.notify(count, 0);
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20_000);
  return "finished";
}

const here = import.meta.url;

if (isMainThread) {
  test("two jobs run in parallel on two workers and return their results", async () => {
    const pool = new WorkerPool({ threads: 2, backend: "reference" });
    try {
      const barrier = new SharedArrayBuffer(4);
      const [a, b] = await Promise.all([
        pool.run<{ threadId: number; sum: number }>(here, "barrierJob", { barrier, parties: 2, values: [1, 2, 3] }),
        pool.run<{ threadId: number; sum: number }>(here, "barrierJob", { barrier, parties: 2, values: [10, 20] }),
      ]);
      assert.equal(a.sum, 6);
      assert.equal(b.sum, 30);
      assert.notEqual(a.threadId, b.threadId);
      assert.notEqual(a.threadId, threadId);
    } finally {
      await pool.close();
    }
  });

  test("a job's error rejects with the original message", async () => {
    const pool = new WorkerPool({ threads: 1, backend: "reference" });
    try {
      await assert.rejects(pool.run(here, "failingJob", { message: "bad hyperparameter 42" }), (e: unknown) => {
        assert.ok(e instanceof Error);
        assert.equal(e.message, "bad hyperparameter 42");
        return true;
      });
      await assert.rejects(pool.run(here, "noSuchJob", {}), /no exported function noSuchJob/);
      // the worker survives a failed job
      const r = await pool.run<{ sum: number }>(here, "engineJob", { values: [4, 5] });
      assert.equal(r.sum, 9);
    } finally {
      await pool.close();
    }
  });

  test("each worker has its own engine, created once and reused", async () => {
    const pool = new WorkerPool({ threads: 2, backend: "reference" });
    try {
      const runPair = () => {
        const barrier = new SharedArrayBuffer(4);
        return Promise.all([0, 1].map(() =>
          pool.run<{ threadId: number; engineId: number }>(here, "barrierJob", { barrier, parties: 2, values: [1] })));
      };
      const first = await runPair();
      const second = await runPair();
      assert.notEqual(first[0]!.engineId, first[1]!.engineId);
      const byThread = new Map(first.map((r) => [r.threadId, r.engineId]));
      for (const r of second) assert.equal(byThread.get(r.threadId), r.engineId, "a worker keeps its engine");
    } finally {
      await pool.close();
    }
  });

  test("an aborted job stops at once, and its worker is replaced for the next job", async () => {
    const pool = new WorkerPool({ threads: 1, backend: "reference" });
    try {
      const started = new SharedArrayBuffer(4);
      const abort = new AbortController();
      const t0 = Date.now();
      const running = pool.run(here, "blockingJob", { started }, { signal: abort.signal });
      const queued = pool.run(here, "blockingJob", { started }, { signal: abort.signal });
      while (Atomics.load(new Int32Array(started), 0) === 0) await new Promise((r) => setTimeout(r, 10));
      abort.abort();
      for (const job of [running, queued]) {
        await assert.rejects(job, (e: unknown) => e instanceof Error && e.name === "AbortError");
      }
      assert.ok(Date.now() - t0 < 10_000, "the blocked job did not run its 20 s");
      assert.equal(Atomics.load(new Int32Array(started), 0), 1, "the queued job never started");
      const r = await pool.run<{ sum: number }>(here, "engineJob", { values: [4, 5] });
      assert.equal(r.sum, 9);
    } finally {
      await pool.close();
    }
  });
}
