// The worker side of WorkerPool (pool.ts): piscina loads this file in every worker
// thread and calls its default export once per job. A job names an ES module and
// one of its exported functions; the function runs here with the job's arguments.
// Jobs reach the worker's own engine through workerEngine(), created once per
// thread on first use, so every worker has its own heap and WASM instance.

import { isMainThread, workerData } from "node:worker_threads";
import { Engine, type Backend } from "./engine.js";

/** What the pool sends to a worker for one job. */
export interface Job {
  moduleUrl: string;
  fn: string;
  args: unknown;
}

/** Settings the pool gives every worker (piscina's workerData). */
export interface PoolWorkerData {
  backend?: Backend;
}

let engine: Engine | null = null;

/** This thread's engine, created on first use with the pool's backend (wasm by default). */
export function workerEngine(): Engine {
  if (engine === null) {
    const data = (isMainThread ? null : workerData) as PoolWorkerData | null;
    engine = new Engine({ backend: data?.backend ?? "wasm" });
  }
  return engine;
}

/** Whether this thread has created its engine yet (for tests and diagnostics). */
export const hasWorkerEngine = (): boolean => engine !== null;

/** Runs one job: imports its module (cached by the module loader) and calls the named export. */
export default async function runJob(job: Job): Promise<unknown> {
  const mod = (await import(job.moduleUrl)) as Record<string, unknown>;
  const fn = mod[job.fn];
  if (typeof fn !== "function") throw new Error(`pool: ${job.moduleUrl} has no exported function ${job.fn}`);
  try {
    return await (fn as (args: unknown) => unknown)(job.args);
  } catch (e) {
    // Hand back a plain Error with the original message: it survives the structured clone as is.
    if (e instanceof Error) {
      const plain = new Error(e.message);
      plain.stack = e.stack;
      throw plain;
    }
    throw new Error(String(e));
  }
}
