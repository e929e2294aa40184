// `toyworld repro NAME...` and `toyworld repro --all --report`: train a recipe's
// labelled runs through the store's queue (resumable: runs already stored by
// configId are reused), run the per-run detectors through the phenomena
// pipeline (findings are stored) and the sweep detectors over each recipe
// sweep, and print per run the expected vs found kinds, per recipe the
// quantitative check of its source, and with --report the precision and recall
// of every detector kind over all labelled runs.

import { availableParallelism } from "node:os";
import { WorkerPool } from "../engine/pool.js";
import { detectSweeps, runView, type RunView } from "../phenomena/index.js";
import { mismatches, precisionRecall, type KindScore, type LabelledOutcome } from "../phenomena/labels.js";
import { detectRuns } from "../phenomena/pipeline.js";
import { RECIPE_CHECKS, type RecipeCheck } from "../phenomena/recipe-checks.js";
import { processQueue } from "../runner/executor.js";
import { enqueueRecipe, type QueuedRecipeRun } from "../runner/recipe-queue.js";
import { defaultStoreUrl, openStore, type RunRecord, type Store } from "../store/index.js";
import { expectedKinds, isRecipeName, parseRecipeScale, recipeNames, recipes, RUN_PHENOMENA, SWEEP_PHENOMENA, type RecipeName, type RecipeScale } from "../universe/recipes/index.js";
import { UsageError } from "./errors.js";
import { runProgress } from "./progress.js";

export interface ReproFlags {
  scale?: string;
  db?: string;
  json?: boolean;
  threads?: string;
  all?: boolean;
  report?: boolean;
  seedOffset?: string;
}

export interface RunOutcome extends LabelledOutcome {
  recipe: string; sweep: string; label: string; runId: string; status: string; wallSeconds: number | null;
  missed: string[]; unexpected: string[];
}
export interface SweepOutcome extends LabelledOutcome { recipe: string; sweep: string; runs: number; missed: string[]; unexpected: string[] }
export interface RecipeOutcome { recipe: RecipeName; scale: RecipeScale; runs: RunOutcome[]; sweeps: SweepOutcome[]; check: RecipeCheck }

const FINISHED = new Set(["completed", "diverged"]);

function parseFlags(given: string[], flags: ReproFlags): { names: RecipeName[]; scale: RecipeScale; threads: number; seedOffset: number } {
  if (flags.all && given.length > 0) throw new UsageError("give recipe names or --all, not both");
  if (!flags.all && given.length === 0) throw new UsageError(`name a recipe (${recipeNames.join(", ")}) or pass --all`);
  const unknown = given.find((n) => !isRecipeName(n));
  if (unknown !== undefined) throw new UsageError(`unknown recipe '${unknown}' (recipes: ${recipeNames.join(", ")})`);
  const scale = parseRecipeScale(flags.scale ?? "full");
  if (scale === undefined) throw new UsageError(`--scale must be full, tiny or a number in (0, 1], got '${flags.scale}'`);
  const threads = flags.threads === undefined ? availableParallelism() : Number(flags.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads must be a positive integer, got '${flags.threads}'`);
  const seedOffset = Number(flags.seedOffset ?? "0");
  if (!Number.isInteger(seedOffset) || seedOffset < 0) throw new UsageError(`--seed-offset must be a non-negative integer, got '${flags.seedOffset}'`);
  return { names: flags.all ? [...recipeNames] : [...new Set(given as RecipeName[])], scale, threads, seedOffset };
}

/** Trains what is missing of the recipes, detects, and compares with the labels (the library behind the command). */
export async function reproduce(
  store: Store, names: RecipeName[], opts: { scale: RecipeScale; threads: number; quiet: boolean; seedOffset?: number },
): Promise<RecipeOutcome[]> {
  const queued = new Map<RecipeName, QueuedRecipeRun[]>();
  for (const name of names) queued.set(name, (await enqueueRecipe(store, recipes[name], opts.scale, opts.seedOffset ?? 0)).runs);
  const ids = [...new Set([...queued.values()].flat().map((q) => q.runId))];
  const pending = (await Promise.all(ids.map((id) => store.getRun(id)))).filter((r) => r && (r.status === "queued" || r.status === "running")).length;
  if (pending > 0) {
    const progress = runProgress(pending, { quiet: opts.quiet });
    const pool = new WorkerPool({ threads: opts.threads });
    const mine = new Set(ids);
    try {
      await processQueue({ store, pool, onRunFinished: (run, o) => mine.has(run.id) && progress.tick(`${run.id} ${o.status}`) });
    } finally {
      progress.stop();
      await pool.close();
    }
  }
  const detection = await detectRuns(store, ids);
  const found = new Map<string, Set<string>>();
  for (const f of detection.findings) for (const id of f.runIds) found.set(id, (found.get(id) ?? new Set()).add(f.kind));
  const out: RecipeOutcome[] = [];
  for (const name of names) out.push(await evaluate(store, name, opts.scale, queued.get(name)!, found));
  return out;
}

async function evaluate(store: Store, name: RecipeName, scale: RecipeScale, queued: QueuedRecipeRun[], found: Map<string, Set<string>>): Promise<RecipeOutcome> {
  const records = new Map<string, RunRecord>();
  for (const q of queued) {
    const r = await store.getRun(q.runId);
    if (r) records.set(q.runId, r);
  }
  const curves = await store.getCurves([...records.values()].filter((r) => FINISHED.has(r.status)).map((r) => r.id));
  const views = new Map<string, RunView>();
  for (const [id, r] of records) if (curves.has(id)) views.set(id, runView(r, curves.get(id)!));
  const runs: RunOutcome[] = queued.map((q) => {
    const r = records.get(q.runId);
    const o: LabelledOutcome = { expected: q.expect, found: [...(found.get(q.runId) ?? [])].sort() };
    return { recipe: name, sweep: q.sweep, label: q.label, runId: q.runId, status: r?.status ?? "missing", wallSeconds: r?.wallSeconds ?? null, ...o, ...mismatches(RUN_PHENOMENA, o) };
  });
  const sweeps: SweepOutcome[] = [];
  for (const sweep of recipes[name].sweeps) {
    const sweepViews = queued.filter((q) => q.sweep === sweep.name && views.has(q.runId)).map((q) => views.get(q.runId)!);
    const findings = detectSweeps([...new Map(sweepViews.map((v) => [v.id, v])).values()]);
    if (findings.length > 0) await store.putFindings(findings);
    const o: LabelledOutcome = { expected: sweep.expect, found: [...new Set(findings.map((f) => f.kind))].sort() };
    sweeps.push({ recipe: name, sweep: sweep.name, runs: sweepViews.length, ...o, ...mismatches(SWEEP_PHENOMENA, o) });
  }
  const checkRuns = queued.filter((q) => views.has(q.runId)).map((q) => ({ sweep: q.sweep, label: q.label, view: views.get(q.runId)! }));
  return { recipe: name, scale, runs, sweeps, check: RECIPE_CHECKS[name](checkRuns) };
}

/** Precision/recall per per-run kind over the finished runs, and per sweep kind over the judged sweeps. */
export function reproReport(outcomes: RecipeOutcome[]): { runs: KindScore[]; sweeps: KindScore[]; labelledRuns: number } {
  const runs = outcomes.flatMap((o) => o.runs).filter((r) => FINISHED.has(r.status));
  return {
    runs: precisionRecall(RUN_PHENOMENA, runs),
    sweeps: precisionRecall(SWEEP_PHENOMENA, outcomes.flatMap((o) => o.sweeps)),
    labelledRuns: runs.length,
  };
}

export async function reproCommand(given: string[], flags: ReproFlags): Promise<void> {
  const { names, scale, threads, seedOffset } = parseFlags(given, flags);
  const store = await openStore(defaultStoreUrl(flags.db));
  try {
    const outcomes = await reproduce(store, names, { scale, threads, seedOffset, quiet: Boolean(flags.json) });
    const report = flags.report ? reproReport(outcomes) : null;
    if (flags.json) {
      for (const o of outcomes) process.stdout.write(`${JSON.stringify(o)}\n`);
      if (report) process.stdout.write(`${JSON.stringify({ report })}\n`);
      return;
    }
    for (const o of outcomes) process.stdout.write(formatOutcome(o));
    if (report) process.stdout.write(formatReport(report));
  } finally {
    await store.close();
  }
}

const list = (xs: readonly string[]): string => (xs.length === 0 ? "-" : xs.join(", "));

export function formatOutcome(o: RecipeOutcome): string {
  const lines = [`== ${o.recipe} (scale ${o.scale}) ==`];
  const width = Math.max(...o.runs.map((r) => `${r.sweep}/${r.label}`.length));
  for (const r of o.runs) {
    const expected = Object.keys(r.expected).filter((k) => r.expected[k as keyof typeof r.expected] === true);
    const verdict = r.missed.length + r.unexpected.length === 0 ? "ok" : `MISSED ${list(r.missed)}; UNEXPECTED ${list(r.unexpected)}`;
    const secs = r.wallSeconds === null ? "" : ` ${r.wallSeconds.toFixed(0)}s`;
    lines.push(`  ${`${r.sweep}/${r.label}`.padEnd(width)}  ${r.status.padEnd(9)}${secs.padStart(6)}  expected: ${list(expected)}  found: ${list(r.found)}  ${verdict}`);
  }
  for (const s of o.sweeps) {
    const judged = Object.entries(s.expected).map(([k, v]) => `${v ? "" : "no "}${k}`);
    lines.push(`  sweep ${s.sweep} (${s.runs} runs)  expected: ${list(judged)}  found: ${list(s.found)}  ${s.missed.length + s.unexpected.length === 0 ? "ok" : `MISSED ${list(s.missed)}; UNEXPECTED ${list(s.unexpected)}`}`);
  }
  lines.push("  check:");
  for (const l of o.check.lines) lines.push(`    ${l}`);
  return `${lines.join("\n")}\n\n`;
}

export function formatReport(report: ReturnType<typeof reproReport>): string {
  const f = (x: number | null): string => (x === null ? "  -  " : x.toFixed(2));
  const row = (s: KindScore): string =>
    `  ${s.kind.padEnd(22)} ${String(s.tp + s.fn).padStart(4)} ${String(s.fp + s.tn).padStart(4)}   ${[s.tp, s.fp, s.fn, s.tn].map((n) => String(n).padStart(3)).join(" ")}   ${f(s.precision)}     ${f(s.recall)}`;
  const head = `  ${"kind".padEnd(22)} pos  neg    tp  fp  fn  tn   precision recall`;
  return [
    `precision and recall over ${report.labelledRuns} labelled runs:`, head, ...report.runs.map(row), "",
    "sweep-level kinds over the judged recipe sweeps:", head, ...report.sweeps.filter((s) => s.tp + s.fp + s.fn + s.tn > 0).map(row), "",
  ].join("\n");
}
