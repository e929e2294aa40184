// `toyworld worldmodel train`, `toyworld predict` and `toyworld whatif`: thin
// wrappers over src/worldmodel. train fits a new version on the store's finished
// runs (warm-started from the latest); predict shows a config's predicted curves,
// events and evidence; whatif compares a base config (a file, preset or stored run)
// with its changed version and, with --verify, runs both through the queue and
// stores the prediction with its outcome.

import { writeFileSync } from "node:fs";
import { WorkerPool } from "../engine/pool.js";
import { processQueue } from "../runner/executor.js";
import { defaultStoreUrl, openStore, type RunRecord, type Store } from "../store/index.js";
import { applyInterventions } from "../universe/config/intervention.js";
import { validateExperiment } from "../universe/config/validate.js";
import { IncompatibleWorldModelError, exampleFromRun, loadWorldModel, trainWorldModel, whatIf, InvalidConfigError, type WhatIfResult, type WorldModel, CURVE_POINTS } from "../worldmodel/index.js";
import { ReportedError, UsageError } from "./errors.js";
import { parseSets, readSource } from "./runs.js";
import { reportProblems } from "./universe.js";
import { fmt } from "./query.js";
import { renderSvg, svgToPng } from "./plot.js";
import { eventLines, predictionChart, predictionPlotSpec, predictionTable, shownMetrics } from "./worldmodel-view.js";

interface StoreFlags { db?: string; json?: boolean; model?: string }

async function withStore<T>(flags: StoreFlags, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(defaultStoreUrl(flags.db));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

function positiveInt(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${name} must be a positive integer, got '${value}'`);
  return n;
}

async function latestModel(store: Store, flags: StoreFlags): Promise<{ id: string; model: WorldModel }> {
  const found = await loadWorldModel(store, flags.model).catch((e: unknown) => {
    if (e instanceof IncompatibleWorldModelError) throw new UsageError(e.message);
    throw e;
  });
  if (!found) throw new UsageError(flags.model ? `no world model '${flags.model}' in the store` : "the store holds no world model yet: run `toyworld worldmodel train` first");
  return found;
}

export async function trainCommand(flags: StoreFlags & { members?: string; seed?: string; steps?: string; warm?: boolean; limit?: string }): Promise<void> {
  const seed = flags.seed === undefined ? undefined : Number(flags.seed);
  if (seed !== undefined && !Number.isInteger(seed)) throw new UsageError(`--seed must be an integer, got '${flags.seed}'`);
  await withStore(flags, async (store) => {
    const result = await trainWorldModel(store, {
      members: positiveInt(flags.members, "--members"), steps: positiveInt(flags.steps, "--steps"), seed,
      limit: positiveInt(flags.limit, "--limit"), previous: flags.warm !== false,
      onProgress: (what, n) => !flags.json && process.stderr.write(`\rloading ${what}: ${n}`),
    });
    const meta = result.model.meta;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ id: result.id, warmStartedFrom: result.warmStartedFrom, meta })}\n`);
      return;
    }
    process.stderr.write("\n");
    const t = meta.trainedOn;
    process.stdout.write([
      `world model ${result.id}: ${t.examples} runs (${t.train} train, ${t.valid} held out for early stopping, ${t.calibration} for calibration; ${t.diverged} diverged, ${t.forks} forks), ${meta.options.members} members`,
      `trained in ${meta.trainingSeconds.toFixed(1)} s, ${meta.report?.stepsRun ?? 0} steps${result.warmStartedFrom ? `, warm-started from ${result.warmStartedFrom}` : ""}`,
      `held-out 80% coverage after calibration: ${Object.entries(meta.validCoverage80).map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`).join(", ")}`,
    ].join("\n") + "\n");
  });
}

function validatedSource(source: string, sets: string[] | undefined, json: boolean) {
  const v = validateExperiment(applyInterventions(readSource(source), parseSets(sets)));
  if (!v.ok) {
    reportProblems(source, v.problems, json);
    throw new ReportedError();
  }
  return v;
}

export async function predictCommand(source: string, flags: StoreFlags & { set?: string[] }): Promise<void> {
  const v = validatedSource(source, flags.set, Boolean(flags.json));
  await withStore(flags, async (store) => {
    const { id, model } = await latestModel(store, flags);
    const prediction = model.predictOne({ config: v.config });
    if (flags.json) {
      const curves = Object.fromEntries(Object.entries(prediction.curves).map(([m, c]) => [m, { mean: Array.from(c.mean), std: Array.from(c.std) }]));
      process.stdout.write(`${JSON.stringify({ worldModelId: id, configId: v.id, steps: v.config.train.steps, curves, events: prediction.events, support: prediction.support })}\n`);
      return;
    }
    const steps = v.config.train.steps;
    const preds = [{ label: "predicted", prediction }];
    const s = prediction.support!;
    process.stdout.write([
      `${v.config.name ?? source} (${v.id}), world model ${id}; values are mean [80% interval]`,
      predictionTable(preds, steps, shownMetrics(v.spec.metrics.includes("accuracy"))),
      predictionChart(preds, steps) ?? "",
      `events: ${eventLines(prediction).join(", ") || "none above 2%"}`,
      `evidence: ${s.neighbours} training runs nearby; mean distance of the 5 nearest ${fmt(s.meanDistance, 3)}`,
    ].join("\n") + "\n");
  });
}

interface Verification { base: { runId: string; final: number }; changed: { runId: string; final: number }; predictedChange: number; actualChange: number; error: number; within80: boolean; predictionId: string }

/** Runs the changed config (and the base if no finished run has it), stores the prediction and its outcome. */
async function verify(store: Store, worldModelId: string, r: WhatIfResult, baseRun: RunRecord | null, threads: number | undefined): Promise<Verification> {
  const finished = baseRun ?? (await store.listRuns({ configId: r.base.id, status: ["completed", "diverged"], limit: 1 }))[0] ?? null;
  const runs = [{ configId: r.changed.id, config: r.changed.config, family: (r.changed.config as { task: { family: string } }).task.family, name: "whatif: changed", priority: 100 }];
  if (!finished) runs.push({ configId: r.base.id, config: r.base.config, family: (r.base.config as { task: { family: string } }).task.family, name: "whatif: base", priority: 100 });
  const ids = await store.enqueue(runs);
  const predicted = { interventions: r.interventions, testLoss: r.effects.testLoss, testAcc: r.effects.testAcc, changed: { finalTestLoss: r.changed.prediction.curves.test_loss.mean[CURVE_POINTS - 1] } };
  const [predictionId] = await store.putPredictions([{ runId: ids[0]!, configId: r.changed.id, worldModelId, predicted }]);
  const mine = new Set(ids), done = new Set<string>();
  const stop = new AbortController();
  const pool = new WorkerPool({ threads });
  try {
    // the queue may hold other people's runs: stop as soon as ours are done
    await processQueue({ store, pool, signal: stop.signal, onRunFinished: (run) => {
      if (mine.has(run.id)) done.add(run.id);
      if (done.size === mine.size) stop.abort();
    } });
  } finally {
    await pool.close();
  }
  const final = async (id: string) => {
    const run = await store.getRun(id);
    const curves = (await store.getCurves([id])).get(id);
    if (!run || !curves || (run.status !== "completed" && run.status !== "diverged")) throw new Error(`run ${id} did not finish (${run?.status ?? "missing"})`);
    return exampleFromRun(run, curves).curves.test_loss[CURVE_POINTS - 1]!;
  };
  const baseId = finished?.id ?? ids[1]!;
  const [b, c] = [await final(baseId), await final(ids[0]!)];
  const e = r.effects.testLoss;
  const actualChange = c - b;
  const outcome = { baseRunId: baseId, finalTestLoss: c, baseFinalTestLoss: b, actualChange, error: e.change - actualChange, within80: actualChange >= e.interval80[0] && actualChange <= e.interval80[1] };
  await store.setPredictionOutcome(predictionId!, outcome);
  return { base: { runId: baseId, final: b }, changed: { runId: ids[0]!, final: c }, predictedChange: e.change, actualChange, error: outcome.error, within80: outcome.within80, predictionId: predictionId! };
}

export async function whatifCommand(source: string, flags: StoreFlags & { set?: string[]; out?: string; verify?: boolean; threads?: string }): Promise<void> {
  const interventions = parseSets(flags.set);
  if (interventions.length === 0) throw new UsageError("whatif needs at least one --set path=value (the change), e.g. --set train.lr=x2");
  if (flags.out && !/\.(svg|png)$/i.test(flags.out)) throw new UsageError("--out must name a .svg or .png file");
  await withStore(flags, async (store) => {
    const baseRun = await store.getRun(source);
    const baseDoc = baseRun ? baseRun.config : readSource(source);
    const { id, model } = await latestModel(store, flags);
    let r: WhatIfResult;
    try {
      r = whatIf(model, baseDoc, interventions);
    } catch (e) {
      if (e instanceof InvalidConfigError) throw new UsageError(e.message);
      throw e;
    }
    const steps = (r.changed.config as { train: { steps: number } }).train.steps;
    const hasAcc = r.effects.testAcc !== null;
    const preds = [{ label: "base", prediction: r.base.prediction }, { label: "changed", prediction: r.changed.prediction }];
    if (flags.out) {
      const spec = predictionPlotSpec(preds, steps, hasAcc ? ["train_loss", "test_loss", "test_acc"] : ["train_loss", "test_loss"], `what if ${flags.set!.join(", ")}`);
      const svg = await renderSvg(spec);
      writeFileSync(flags.out, /\.png$/i.test(flags.out) ? await svgToPng(svg) : svg);
    }
    const verification = flags.verify ? await verify(store, id, r, baseRun, positiveInt(flags.threads, "--threads")) : null;
    if (flags.json) {
      process.stdout.write(`${JSON.stringify({ worldModelId: id, interventions: r.interventions, base: { id: r.base.id, support: r.base.support, events: r.base.prediction.events }, changed: { id: r.changed.id, support: r.changed.support, events: r.changed.prediction.events }, effects: r.effects, out: flags.out ?? null, verification })}\n`);
      return;
    }
    const effect = (name: string, e: WhatIfResult["effects"]["testLoss"]) =>
      `${name}: ${fmt(e.base, 3)} -> ${fmt(e.changed, 3)}, change ${fmt(e.change, 3)} (80% interval ${fmt(e.interval80[0], 3)} .. ${fmt(e.interval80[1], 3)}; ${(100 * e.memberAgreement).toFixed(0)}% of members agree on the sign)`;
    const lines = [
      `what if ${flags.set!.join(", ")} (base ${baseRun ? `run ${baseRun.id}` : source}), world model ${id}; values are mean [80% interval]`,
      predictionTable(preds, steps, hasAcc ? ["test_loss", "test_acc"] : ["test_loss"]),
      predictionChart(preds, steps) ?? "",
      effect("final test loss (log10)", r.effects.testLoss),
      ...(r.effects.testAcc ? [effect("final test accuracy", r.effects.testAcc)] : []),
      `events (base): ${eventLines(r.base.prediction).join(", ") || "none above 2%"}`,
      `events (changed): ${eventLines(r.changed.prediction).join(", ") || "none above 2%"}`,
      `evidence: base ${r.base.support.neighbours} runs nearby (distance ${fmt(r.base.support.meanDistance, 3)}), changed ${r.changed.support.neighbours} (distance ${fmt(r.changed.support.meanDistance, 3)})`,
    ];
    if (flags.out) lines.push(`wrote ${flags.out}`);
    if (verification) {
      const v = verification;
      lines.push(`verified: base run ${v.base.runId} final ${fmt(v.base.final, 3)}, changed run ${v.changed.runId} final ${fmt(v.changed.final, 3)}: actual change ${fmt(v.actualChange, 3)}, predicted ${fmt(v.predictedChange, 3)}, error ${fmt(v.error, 3)} (${v.within80 ? "inside" : "outside"} the 80% interval); prediction ${v.predictionId}`);
    }
    process.stdout.write(lines.join("\n") + "\n");
  });
}
