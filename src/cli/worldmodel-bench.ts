// `toyworld bench worldmodel`: how many predictions per second the world model
// gives in batch, the rate the explorer's inner loop depends on (issue target:
// 10,000/s). It times the latest world model of the store given with --db, or
// else a model of the default shape fitted briefly on sampled configs (the speed
// depends on the shape, not on what the weights learned). Queries are distinct
// sampled experiments, config only and with an observed 30% prefix.

import { Engine } from "../engine/index.js";
import { validateExperiment } from "../universe/config/validate.js";
import { sampleExperiments } from "../universe/generate/index.js";
import { openStore } from "../store/index.js";
import { loadWorldModel } from "../worldmodel/persist.js";
import { IncompatibleWorldModelError, WorldModel } from "../worldmodel/model.js";
import { UsageError } from "./errors.js";
import { prefixQuery } from "../worldmodel/evaluate.js";
import { CURVE_FRACTIONS, noEvents, unobservedCurve, type Example, type Query } from "../worldmodel/types.js";

export const PREDICTION_TARGET = 10_000;
const DISTINCT_CONFIGS = 2_000;
const DEFAULT_BATCH = 10_000;
const BATCHES = 3;

export interface WorldModelBenchResult {
  bench: "worldmodel";
  model: string;
  threads: number;
  members: number;
  hidden: number[];
  /** timed predictions of each kind */
  predictions: number;
  config_only_per_s: number;
  with_prefix_per_s: number;
  target_per_s: number;
}

/** Sampled experiments as examples with a plain decaying curve (only for fitting a model to time). */
function sampledExamples(configs: unknown[]): Example[] {
  return configs.map((config, i) => {
    const final = -0.5 - (i % 7) / 7;
    const loss = Float64Array.from(CURVE_FRACTIONS, (f) => final * Math.sqrt((Math.log10(f) + 2) / 2));
    return {
      runId: `bench-${i}`, configId: `bench-${i}`, family: (config as { task: { family: string } }).task.family, config, steps: 1000, paramCount: 0,
      curves: { train_loss: loss, test_loss: loss, train_acc: unobservedCurve(), test_acc: unobservedCurve() },
      events: noEvents(), fork: null, sweepId: null,
    };
  });
}

/** Predictions per second over `batches` (each a batch of distinct query objects), after a warm-up. */
function rate(model: WorldModel, warmUp: Query[], batches: Query[][]): number {
  model.predictSync(warmUp);
  const t0 = performance.now();
  for (const b of batches) model.predictSync(b);
  return (batches.reduce((n, b) => n + b.length, 0) / (performance.now() - t0)) * 1000;
}

export interface WorldModelBenchOptions {
  url?: string;
  json: boolean;
  /** kernel threads of the model's engine (default: the world model's own engine, a thread per core up to two) */
  threads?: number;
  /** queries per batch (default 10,000) and distinct sampled configs cycled through them (default 2,000) */
  batch?: number;
  distinct?: number;
}

export async function benchWorldModel(opts: WorldModelBenchOptions, stdout: { write(s: string): unknown } = process.stdout): Promise<WorldModelBenchResult> {
  const BATCH = opts.batch ?? DEFAULT_BATCH;
  const configs = sampleExperiments(opts.distinct ?? DISTINCT_CONFIGS, 0).map((doc) => {
    const v = validateExperiment(doc);
    if (!v.ok) throw new Error("bench worldmodel: a sampled experiment is invalid (a generator bug)");
    return v.config as unknown;
  });
  const engine = opts.threads === undefined ? undefined : new Engine({ threads: opts.threads });
  let model: WorldModel | null = null, label = "default shape, fitted briefly on sampled configs";
  if (opts.url) {
    const store = await openStore(opts.url);
    try {
      const loaded = await loadWorldModel(store, undefined, engine).catch((e: unknown) => {
        if (e instanceof IncompatibleWorldModelError) throw new UsageError(e.message);
        throw e;
      });
      if (loaded) [model, label] = [loaded.model, `stored version ${loaded.id}`];
    } finally {
      await store.close();
    }
  }
  if (!model) {
    model = new WorldModel({ steps: 20, evalEvery: 10 }, engine);
    await model.fit(sampledExamples(configs.slice(0, Math.min(200, configs.length))));
  }
  // fresh objects for every query (as the explorer's candidates are): no cache keyed by object helps
  const examples = sampledExamples(configs);
  const batches = (make: (i: number) => Query) => Array.from({ length: BATCHES }, () => Array.from({ length: BATCH }, (_, i) => make(i % examples.length)));
  const configOnly = batches((i) => ({ config: structuredClone(configs[i]) }));
  const withPrefix = batches((i) => ({ ...prefixQuery(examples[i]!), config: structuredClone(configs[i]) }));
  const warmUp = configs.slice(0, 500).map((config) => ({ config }));
  const result: WorldModelBenchResult = {
    bench: "worldmodel", model: label, threads: model.engine.threads, members: model.trained.net.shape.members, hidden: model.trained.net.shape.hidden,
    predictions: BATCHES * BATCH,
    config_only_per_s: Math.round(rate(model, warmUp, configOnly)),
    with_prefix_per_s: Math.round(rate(model, warmUp, withPrefix)),
    target_per_s: PREDICTION_TARGET,
  };
  model.dispose();
  await engine?.close();
  const f = (x: number) => x.toLocaleString("en-US");
  stdout.write(opts.json ? `${JSON.stringify(result)}\n`
    :  `worldmodel (${label}; ${result.members} members, hidden ${result.hidden.join("x")}; ${result.threads} thread${result.threads > 1 ? "s" : ""}): ${f(result.config_only_per_s)} config-only predictions/s, ` +
      `${f(result.with_prefix_per_s)}/s given a 30% prefix, ${BATCHES} batches of ${f(BATCH)} each (target ${f(PREDICTION_TARGET)}/s)\n`);
  return result;
}
