// `toyworld worldmodel eval`: loads the store's finished runs as examples, fits
// every baseline and the learned world model on the train side of each split,
// scores them on the test side (src/worldmodel/evaluate.ts), prints the report
// (a table, or JSON with --json) and stores it as the evaluation of the latest
// world model version, when there is one.

import { defaultStoreUrl, openStore } from "../store/index.js";
import { BASELINE_NAMES, baselines } from "../worldmodel/baselines/index.js";
import { evaluatePredictors } from "../worldmodel/evaluate.js";
import { renderReport, reportJson } from "../worldmodel/evaluate-render.js";
import { loadExamples } from "../worldmodel/examples.js";
import { WorldModel } from "../worldmodel/model.js";
import { SPLIT_KINDS, type SplitKind } from "../worldmodel/splits.js";
import type { Predictor } from "../worldmodel/types.js";
import { UsageError } from "./errors.js";

export interface EvalFlags {
  db?: string;
  json?: boolean;
  split?: string;
  seed?: string;
  trainFraction?: string;
  /** commander's --no-model */
  model?: boolean;
}

function splitsOf(raw: string | undefined): SplitKind[] {
  if (raw === undefined || raw === "all") return [...SPLIT_KINDS];
  const out = raw.split(",").map((s) => s.trim());
  for (const s of out) {
    if (!(SPLIT_KINDS as readonly string[]).includes(s)) throw new UsageError(`--split must be one of ${SPLIT_KINDS.join(", ")} or all, got '${s}'`);
  }
  return out as SplitKind[];
}

/** "0" or a comma-separated list "0,1,2" of split seeds (each an integer >= 0, none twice). */
export function seedsOf(raw: string | undefined): number[] {
  if (raw === undefined) return [0];
  const seeds = raw.split(",").map((s) => s.trim());
  const bad = seeds.find((s) => !/^\d+$/.test(s) || !Number.isSafeInteger(Number(s)));
  if (bad !== undefined) throw new UsageError(`--seed must be an integer >= 0 or a comma-separated list of them (e.g. 0,1,2), got '${bad}' in '${raw}'`);
  const out = seeds.map(Number);
  if (new Set(out).size !== out.length) throw new UsageError(`--seed lists a seed twice: '${raw}'`);
  return out;
}

/** A fraction in (0, 1] of each train side to fit on (default 1: all of it). */
export function trainFractionOf(raw: string | undefined): number {
  if (raw === undefined) return 1;
  const f = Number(raw.trim());
  if (raw.trim() === "" || !Number.isFinite(f) || f <= 0 || f > 1) throw new UsageError(`--train-fraction must be a number in (0, 1], e.g. 0.5, got '${raw}'`);
  return f;
}

export async function evalCommand(flags: EvalFlags): Promise<void> {
  const splits = splitsOf(flags.split);
  const seeds = seedsOf(flags.seed);
  const trainFraction = trainFractionOf(flags.trainFraction);
  const json = Boolean(flags.json);
  const note = (m: string) => !json && process.stderr.write(`${m}\n`);
  const store = await openStore(defaultStoreUrl(flags.db));
  try {
    const examples = await loadExamples(store);
    if (examples.length < 20) throw new UsageError(`the store holds ${examples.length} finished runs; evaluation needs at least 20 (see \`toyworld worldmodel dataset\`)`);
    note(`loaded ${examples.length} runs`);
    const predictors: Predictor[] = BASELINE_NAMES.map((name) => baselines[name].make());
    const model = flags.model === false ? null : new WorldModel();
    if (model) predictors.unshift(model);
    const report = await evaluatePredictors(examples, predictors, { splits, seeds, trainFraction, onProgress: note });
    process.stdout.write(json ? `${reportJson(report)}\n` : renderReport(report, model?.name));
    const latest = await store.getWorldModel();
    // a thinned evaluation measures the data's worth, not the stored version
    if (latest && trainFraction === 1) {
      await store.setWorldModelEvaluation(latest.id, JSON.parse(reportJson(report)));
      note(`stored as the evaluation of world model ${latest.id}`);
    }
  } finally {
    await store.close();
  }
}
