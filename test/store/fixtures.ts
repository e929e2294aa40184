// Helpers of the store suite: runs and results to store, curves to compare bit for
// bit, and drain() which empties the queue so a queue test sees only its own runs
// (the suite's tests share one database).

import assert from "node:assert/strict";
import type { Curve, NewRun, RunCurves, RunRecord, RunResult, Store } from "../../src/store/index.js";

export interface SuiteContext {
  /** the store opened for the suite */
  store(): Store;
  /** opens another store on the same database */
  open(): Promise<Store>;
  /** where the database is, for tests that use other processes */
  url?: string;
}

let counter = 0;
/** A unique family name per call, so filters isolate a test's runs. */
export const uniqueFamily = (what: string): string => `${what}-${process.pid}-${++counter}-${Date.now()}`;

export function newRun(family: string, extra: Partial<NewRun> = {}): NewRun {
  const i = ++counter;
  return {
    configId: `cfg-${i}`,
    config: { task: { family, seed: i }, train: { lr: 0.01 * i, steps: 100 }, nested: [1, "two", { three: null }] },
    family,
    ...extra,
  };
}

/** A curve of `n` points with a little of everything: NaN, infinities, -0, tiny and huge values. */
export function curve(n: number, seed = 1): Curve {
  const steps = new Int32Array(n), values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    steps[i] = i * 10 + (seed % 7);
    values[i] = Math.sin(seed * 1000 + i) * 10 ** ((i % 9) - 4);
  }
  if (n > 5) {
    values[1] = NaN;
    values[2] = Infinity;
    values[3] = -0;
    values[4] = -Infinity;
    values[5] = Number.MIN_VALUE;
    steps[n - 1] = 2 ** 31 - 1;
  }
  return { steps, values };
}

export function curves(metrics: string[], n: number, seed = 1): RunCurves {
  return Object.fromEntries(metrics.map((m, k) => [m, curve(n, seed * 31 + k)]));
}

export function result(c: RunCurves, extra: Partial<RunResult> = {}): RunResult {
  return { status: "completed", divergedAt: null, wallSeconds: 1.25, paramCount: 4321, curves: c, ...extra };
}

const bytes = (a: Int32Array | Float64Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

/** Bitwise equality of curves (so NaN and -0 count), and fresh aligned arrays. */
export function assertCurvesEqual(actual: RunCurves | undefined, expected: RunCurves, what = "curves"): void {
  assert.ok(actual, `${what}: missing`);
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${what}: metrics`);
  for (const [metric, e] of Object.entries(expected)) {
    const a: Curve | undefined = actual[metric];
    assert.ok(a, `${what}.${metric}: missing`);
    assert.ok(a.steps instanceof Int32Array && a.values instanceof Float64Array, `${what}.${metric}: typed arrays`);
    assert.equal(a.values.byteOffset % 8, 0);
    assert.ok(bytes(a.steps).equals(bytes(e.steps)), `${what}.${metric}: steps differ`);
    assert.ok(bytes(a.values).equals(bytes(e.values)), `${what}.${metric}: values differ`);
  }
}

/** Leaves no queued and no running run: requeues everything running, then claims and fails all. */
export async function drain(store: Store): Promise<void> {
  await store.requeueStale(Number.MAX_SAFE_INTEGER);
  for (;;) {
    const runs = await store.claim("suite-drain", 1000, 60_000);
    if (runs.length === 0) return;
    for (const r of runs) await store.fail(r.id, "suite-drain", "drained by the test suite");
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Claims `batch` at a time until the queue is empty; returns what it got. */
export async function claimAll(store: Store, worker: string, batch: number): Promise<RunRecord[]> {
  const got: RunRecord[] = [];
  for (;;) {
    const runs = await store.claim(worker, batch, 60_000);
    if (runs.length === 0) return got;
    got.push(...runs);
  }
}
