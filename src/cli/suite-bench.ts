// `toyworld bench suite`: end-to-end throughput in experiments per hour. A fixed
// suite of sampled experiments (seed 0, so every invocation times the same work)
// goes through the whole path: validation, the store's queue (a temporary SQLite
// file), grouping into populations and the worker pool on every core.

import { mkdtempSync, rmSync } from "node:fs";
import { availableParallelism, tmpdir } from "node:os";
import { join } from "node:path";
import { WorkerPool } from "../engine/pool.js";
import { processQueue } from "../runner/executor.js";
import { openStore } from "../store/index.js";
import { validateExperiment } from "../universe/config/validate.js";
import { sampleExperiments } from "../universe/generate/index.js";
import { newRun } from "./runs.js";

export interface SuiteBenchOptions {
  runs?: number;
  threads?: number;
  json: boolean;
}

export interface SuiteBenchResult {
  bench: "suite";
  runs: number;
  threads: number;
  seconds: number;
  experiments_per_hour: number;
  completed: number;
  diverged: number;
  failed: number;
}

export async function benchSuite(opts: SuiteBenchOptions): Promise<SuiteBenchResult> {
  const count = opts.runs ?? 32;
  const threads = opts.threads ?? availableParallelism();
  const dir = mkdtempSync(join(tmpdir(), "toyworld-suite-"));
  const store = await openStore(join(dir, "suite.db"));
  const pool = new WorkerPool({ threads });
  try {
    const runs = sampleExperiments(count, 0).map((doc) => {
      const v = validateExperiment(doc);
      if (!v.ok) throw new Error("bench suite: a sampled experiment is invalid (a generator bug)");
      return newRun(v);
    });
    await store.enqueue(runs);
    const start = performance.now();
    const summary = await processQueue({ store, pool });
    const seconds = (performance.now() - start) / 1000;
    const result: SuiteBenchResult = {
      bench: "suite", runs: count, threads, seconds: Number(seconds.toFixed(2)),
      experiments_per_hour: Math.round((count / seconds) * 3600), ...summary,
    };
    process.stdout.write(opts.json ? `${JSON.stringify(result)}\n`
      : `suite: ${count} sampled experiments on ${threads} threads in ${seconds.toFixed(1)} s = ` +
        `${result.experiments_per_hour.toLocaleString("en-US")} experiments/hour (${summary.completed} completed, ${summary.diverged} diverged, ${summary.failed} failed)\n`);
    return result;
  } finally {
    await pool.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
