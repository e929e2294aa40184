// A pool of worker threads for running independent jobs in parallel (one worker
// per core by default), built on piscina. Each worker owns an Engine (its own heap
// and WASM instance, see pool-worker.ts); a job is an exported function of an ES
// module, called with structured-cloneable arguments, returning a cloneable result.
//
//   const pool = new WorkerPool({ threads: 2 });
//   const r = await pool.run<number>(new URL("./job.js", import.meta.url).href, "train", { seed: 1 });
//   await pool.close();
//
// Inside the job, `workerEngine()` gives the worker's engine. Jobs must dispose the
// tensors they create: the engine outlives them and serves the worker's next job.
// A job can be aborted through an AbortSignal: a queued job is dropped, a running
// one loses its worker thread (a WASM loop cannot be interrupted), which the pool
// replaces with a fresh one.

import { availableParallelism } from "node:os";
import { fileURLToPath } from "node:url";
import { Piscina } from "piscina";
import type { Backend } from "./engine.js";
import type { Job, PoolWorkerData } from "./pool-worker.js";

export { workerEngine } from "./pool-worker.js";

export interface WorkerPoolOptions {
  /** worker threads (default: os.availableParallelism()) */
  threads?: number;
  /** kernel backend of the workers' engines (default wasm) */
  backend?: Backend;
}

export class WorkerPool {
  readonly threads: number;
  private readonly piscina: Piscina<Job, unknown>;
  private closed = false;

  constructor(options: WorkerPoolOptions = {}) {
    const threads = options.threads ?? availableParallelism();
    if (!Number.isInteger(threads) || threads < 1) throw new Error(`pool: threads must be a positive integer, got ${threads}`);
    this.threads = threads;
    const workerData: PoolWorkerData = { backend: options.backend ?? "wasm" };
    this.piscina = new Piscina<Job, unknown>({
      filename: fileURLToPath(new URL("./pool-worker.js", import.meta.url)),
      minThreads: threads,
      maxThreads: threads,
      idleTimeout: Number.POSITIVE_INFINITY,
      workerData,
    });
  }

  /**
   * Runs the function `fn` exported by the module at `moduleUrl` (a file: URL, e.g.
   * `new URL("./x.js", import.meta.url).href`) on a free worker. A job that throws
   * rejects with an Error carrying the original message. Aborting `signal` rejects
   * with an Error named "AbortError" and stops the job at once.
   */
  async run<T>(moduleUrl: string, fn: string, args: unknown, options: { signal?: AbortSignal } = {}): Promise<T> {
    if (this.closed) throw new Error("pool: run after close");
    try {
      return (await this.piscina.run({ moduleUrl, fn, args }, { signal: options.signal ?? null })) as T;
    } catch (e) {
      if (e instanceof Error) throw e;
      throw new Error(typeof e === "object" && e !== null && "message" in e ? String(e.message) : String(e));
    }
  }

  /** Waits for running jobs, then stops the workers. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.piscina.close();
  }
}
