// `toyworld worldmodel dataset`: builds (or resumes) the world model's standing
// dataset in the store: N experiments of a seed, ~60% independent samples and
// ~40% one-at-a-time sweeps (src/worldmodel/dataset-plan.ts), then forks of some
// samples (dataset-forks.ts), seed replicates of a few (dataset-replicates.ts)
// and grokking probes (dataset-grokking.ts), trained on the local
// worker pool with a progress bar. When stderr is not a terminal (e.g. nohup), a
// progress line with the rate is written every 25 runs instead.

import { availableParallelism } from "node:os";
import { WorkerPool } from "../engine/pool.js";
import { defaultStoreUrl, openStore } from "../store/index.js";
import { generateDataset } from "../worldmodel/dataset.js";
import { UsageError } from "./errors.js";
import { detectAfterRuns } from "./phenomena.js";
import { runProgress } from "./progress.js";

export interface DatasetFlags {
  runs?: string;
  seed?: string;
  threads?: string;
  db?: string;
  json?: boolean;
}

function intFlag(name: string, raw: string | undefined, fallback: number, min: number): number {
  const v = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${raw}'`);
  return v;
}

export async function datasetCommand(flags: DatasetFlags): Promise<void> {
  const runs = intFlag("runs", flags.runs, 2400, 0);
  const seed = intFlag("seed", flags.seed, 0, 0);
  const threads = intFlag("threads", flags.threads, availableParallelism(), 1);
  const json = Boolean(flags.json);
  const store = await openStore(defaultStoreUrl(flags.db));
  const pool = new WorkerPool({ threads });
  const tty = process.stderr.isTTY && !json;
  let progress = runProgress(0);
  const requeued = (s: { requeued: number }) => (s.requeued > 0 ? `, ${s.requeued} cancelled requeued` : "");
  let finished = 0;
  const finishedIds: string[] = [];
  let total = 0;
  const started = Date.now();
  try {
    const summary = await generateDataset(store, pool, {
      runs, seed,
      onEnqueued: (s, r, g) => {
        total = s.enqueued + s.pending + s.requeued + r.enqueued + r.requeued + g.enqueued + g.requeued;
        if (!json) {
          process.stderr.write(`dataset wm-${seed}: ${s.planned} planned (${s.inSweeps} in sweeps), ${s.present} already stored (${s.pending} of them still to train${s.requeued > 0 ? `, ${s.requeued} cancelled ones requeued` : ""}), ` +
            `${s.enqueued} enqueued (~${Math.round(s.estimatedSeconds)} s of estimated training), ${s.sweepsCreated} sweeps registered; ` +
            `seed replicates: ${r.planned} planned, ${r.enqueued} enqueued${requeued(r)}; grokking probes: ${g.planned} planned, ${g.enqueued} enqueued${requeued(g)}\n`);
        }
        progress = runProgress(total, { quiet: !tty });
      },
      onForksEnqueued: (f) => {
        if (!json) process.stderr.write(`\nforks: ${f.planned} planned, ${f.present} already stored, ${f.enqueued} enqueued${requeued(f)}, ${f.skipped} skipped (parent not completed)\n`);
        progress.stop();
        progress = runProgress(f.enqueued + f.requeued, { quiet: !tty, what: "forks" });
      },
      onRunFinished: (run, status) => {
        finished++;
        finishedIds.push(run.id);
        progress.tick(`${run.name ?? run.id} ${status}`);
        if (!tty && !json && finished % 25 === 0) {
          const hours = (Date.now() - started) / 3_600_000;
          process.stderr.write(`${new Date().toISOString()} ${finished} runs finished (${Math.round(finished / hours)} runs/h)\n`);
        }
      },
    });
    progress.stop();
    // like run/sweep/worker: the detectors look at every run this call finished
    await detectAfterRuns(store, finishedIds, { quiet: json });
    const rate = summary.seconds > 0 ? Math.round(((summary.completed + summary.diverged + summary.failed) / summary.seconds) * 3600) : 0;
    const out = { ...summary, seconds: Number(summary.seconds.toFixed(1)), runs_per_hour: rate };
    process.stdout.write(json ? `${JSON.stringify(out)}\n`
      : `dataset wm-${seed}: ${summary.enqueued} + ${summary.replicates.enqueued} replicates + ${summary.probes.enqueued} grokking probes + ${summary.forks.enqueued} forks enqueued; ${summary.completed} completed, ${summary.diverged} diverged, ${summary.failed} failed${summary.cancelled > 0 ? `, ${summary.cancelled} cancelled` : ""} in ${out.seconds} s (${rate.toLocaleString("en-US")} runs/h)\n`);
  } finally {
    progress.stop();
    await pool.close();
    await store.close();
  }
}
