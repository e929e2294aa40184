// `toyworld run`, `sweep` and `fork`: validate, enqueue in the store, then work the
// queue on the local worker pool with a progress bar. Invalid input stops before
// anything is stored. Runs this process finished go through the phenomena
// detectors (and complete sweeps through the sweep detectors) before the summary.

import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { WorkerPool } from "../engine/pool.js";
import { applyInterventions, parseIntervention, type Intervention } from "../universe/config/intervention.js";
import { parseExperimentText } from "../universe/config/load.js";
import { validateExperiment, type Validation } from "../universe/config/validate.js";
import { getPreset, presetNames } from "../universe/presets/index.js";
import { processQueue } from "../runner/executor.js";
import { describeInvalid, expandSweep, sweepSchema } from "../runner/sweep.js";
import { problemsFromZod } from "../universe/config/problems.js";
import { defaultStoreUrl, openStore, type NewRun, type RunRecord, type Store } from "../store/index.js";
import { ReportedError, UsageError } from "./errors.js";
import { DetectionQueue, detectAfterRuns } from "./phenomena.js";
import { runProgress } from "./progress.js";
import { reportProblems } from "./universe.js";
import { summarizeRuns } from "./summary.js";

export interface QueueFlags {
  db?: string;
  threads?: string;
  json?: boolean;
}

/** A file (JSON or YAML) or a preset name, as a raw document. */
export function readSource(source: string): unknown {
  if (existsSync(source)) {
    const parsed = parseExperimentText(readFileSync(source, "utf8"), source);
    if (!parsed.ok) {
      reportProblems(source, parsed.problems, false);
      throw new ReportedError();
    }
    return parsed.value;
  }
  const preset = getPreset(source);
  if (preset) return preset.experiment;
  throw new UsageError(`'${source}' is neither a file nor a preset (presets: ${presetNames.join(", ")})`);
}

export function parseSets(sets: string[] | undefined): Intervention[] {
  try {
    return (sets ?? []).map(parseIntervention);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}

function threadsOf(flags: QueueFlags): number {
  const threads = flags.threads === undefined ? availableParallelism() : Number(flags.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads must be a positive integer, got '${flags.threads}'`);
  return threads;
}

function validOrReport(source: string, v: Validation, json: boolean): Extract<Validation, { ok: true }> {
  if (!v.ok) {
    reportProblems(source, v.problems, json);
    throw new ReportedError();
  }
  return v;
}

export function newRun(v: Extract<Validation, { ok: true }>, extra: Partial<NewRun> = {}): NewRun {
  return { configId: v.id, config: v.config, family: v.config.task.family, name: v.config.name ?? null, ...extra };
}

/** Works the queue until these runs are done, with a progress bar; returns their records. */
async function execute(store: Store, ids: string[], flags: QueueFlags): Promise<RunRecord[]> {
  const progress = runProgress(ids.length, { quiet: flags.json });
  const mine = new Set(ids);
  // every run this process ended, its own or another's from the queue (a failed one may complete a sweep)
  const finished: string[] = [];
  const pool = new WorkerPool({ threads: threadsOf(flags) });
  try {
    await processQueue({
      store,
      pool,
      onRunFinished: (run, outcome) => {
        finished.push(run.id);
        if (mine.has(run.id)) progress.tick(`${run.id} ${outcome.status}`);
      },
    });
  } finally {
    progress.stop();
    await pool.close();
  }
  await detectAfterRuns(store, finished, { quiet: Boolean(flags.json) });
  return (await Promise.all(ids.map((id) => store.getRun(id)))).filter((r): r is RunRecord => r !== null);
}

async function withStore<T>(flags: QueueFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(defaultStoreUrl(flags.db));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

export async function runCommand(source: string, flags: QueueFlags & { set?: string[]; repeats?: string }): Promise<void> {
  const repeats = Number(flags.repeats ?? "1");
  if (!Number.isInteger(repeats) || repeats < 1) throw new UsageError(`--repeats must be a positive integer, got '${flags.repeats}'`);
  const doc = applyInterventions(readSource(source), parseSets(flags.set));
  const first = validOrReport(source, validateExperiment(doc), Boolean(flags.json));
  const runs: NewRun[] = [newRun(first)];
  for (let k = 1; k < repeats; k++) {
    const seeded = applyInterventions(doc, [{ path: "train.seed", op: "set", value: first.config.train.seed + k }]);
    runs.push(newRun(validOrReport(source, validateExperiment(seeded), Boolean(flags.json))));
  }
  await withStore(flags, async (store) => {
    const ids = await store.enqueue(runs);
    await summarizeRuns(store, await execute(store, ids, flags), Boolean(flags.json));
  });
}

export async function sweepCommand(file: string, flags: QueueFlags): Promise<void> {
  const parsed = parseExperimentText(readFileSync(file, "utf8"), file);
  if (!parsed.ok) {
    reportProblems(file, parsed.problems, Boolean(flags.json));
    throw new ReportedError();
  }
  const spec = sweepSchema.safeParse(parsed.value);
  if (!spec.success) {
    reportProblems(file, problemsFromZod(spec.error, parsed.value), Boolean(flags.json));
    throw new ReportedError();
  }
  const base = typeof spec.data.base === "string" ? readSource(spec.data.base) : spec.data.base;
  const points = expandSweep(spec.data, base);
  const invalid = describeInvalid(points);
  if (invalid.length > 0) {
    process.stderr.write(`${file}: ${invalid.length} of ${points.length} sweep points are invalid; nothing was run\n`);
    for (const line of invalid.slice(0, 20)) process.stderr.write(`  ${line}\n`);
    throw new ReportedError();
  }
  await withStore(flags, async (store) => {
    const sweepId = await store.createSweep(spec.data.name ?? null, spec.data);
    const runs = points.map((p) => newRun(p.validation as Extract<Validation, { ok: true }>, { sweepId }));
    const ids = await store.enqueue(runs);
    if (!flags.json) process.stderr.write(`sweep ${sweepId}: ${ids.length} runs queued\n`);
    await summarizeRuns(store, await execute(store, ids, flags), Boolean(flags.json));
  });
}

export async function forkCommand(runId: string, flags: QueueFlags & { at?: string; set?: string[] }): Promise<void> {
  const step = Number(flags.at);
  if (!Number.isInteger(step) || step < 0) throw new UsageError(`--at must be a step (a non-negative integer), got '${flags.at}'`);
  const interventions = parseSets(flags.set);
  if (interventions.length === 0) throw new UsageError("fork needs at least one --set path=value (the intervention)");
  await withStore(flags, async (store) => {
    const parent = await store.getRun(runId);
    if (!parent) throw new UsageError(`no run '${runId}' in ${defaultStoreUrl(flags.db)}`);
    const v = validOrReport(`fork of ${runId}`, validateExperiment(applyInterventions(parent.config, interventions)), Boolean(flags.json));
    const steps = v.config.train.steps;
    if (step >= steps) throw new UsageError(`--at ${step} must be before the run's last step ${steps}`);
    const shapes = (c: unknown) => JSON.stringify((c as { model: unknown }).model);
    if (shapes(v.config) !== shapes(parent.config) || v.config.task.family !== (parent.config as { task: { family: string } }).task.family) {
      throw new UsageError("a fork keeps the model and the task family (its parameters continue from the checkpoint); change train.* or task parameters");
    }
    const [id] = await store.enqueue([newRun(v, { lineage: { parentRunId: runId, forkStep: step, interventions } })]);
    await summarizeRuns(store, await execute(store, [id!], flags), Boolean(flags.json));
  });
}

export async function workerCommand(flags: QueueFlags & { watch?: boolean }): Promise<void> {
  await withStore(flags, async (store) => {
    const pool = new WorkerPool({ threads: threadsOf(flags) });
    const counts = await store.countRuns({ status: "queued" });
    const progress = runProgress(counts.queued, { quiet: flags.json || flags.watch });
    try {
      // detection as runs finish (a --watch worker never returns), in batches
      const detection = new DetectionQueue(store, { quiet: Boolean(flags.json), skipEmpty: true });
      const onRunFinished = (run: RunRecord, o: { status: string }) => {
        progress.tick(`${run.id} ${o.status}`);
        detection.add(run.id);
      };
      const summary = await processQueue({ store, pool, untilEmpty: !flags.watch, onRunFinished });
      await detection.drain();
      progress.stop();
      process.stdout.write(flags.json ? `${JSON.stringify(summary)}\n` : `done: ${summary.completed} completed, ${summary.diverged} diverged, ${summary.failed} failed${summary.cancelled > 0 ? `, ${summary.cancelled} cancelled while training` : ""}\n`);
    } finally {
      progress.stop();
      await pool.close();
    }
  });
}
