// The world model's public API: the shared vocabulary (types.ts), the encoding of
// configs, examples from the store, the learned ensemble predictor, what-if
// questions, versions in the store, the baselines and evaluation that judge it,
// and the standing dataset it learns from.

export * from "./types.js";
export { FEATURE_COUNT, FEATURE_NAMES, HASH_BUCKETS, Standardizer, encodeConfig } from "./encode.js";
export { paramCountOf } from "./param-count.js";
export { exampleFromCurves, exampleFromRun, forkObserved, loadExamples, pointStep, resampleCurve, type CurvesSource, type LoadExamplesOptions } from "./examples.js";
export { DEFAULT_TRAIN_OPTIONS, type EnsembleTrainOptions, type EnsembleTrainReport } from "./ensemble-train.js";
export { IncompatibleWorldModelError, WORLD_MODEL_VERSION, WorldModel, type FitOptions, type MemberOutputs, type WorldModelMeta } from "./model.js";
export type { Support } from "./support.js";
export { InvalidConfigError, whatIf, type Effect, type WhatIfResult } from "./whatif.js";
export { loadWorldModel, saveWorldModel, trainWorldModel, type TrainWorldModelOptions, type TrainWorldModelResult } from "./persist.js";
// judging: baselines, splits, metrics and the evaluation report; the standing dataset
export { BASELINE_NAMES, baselines, type BaselineName } from "./baselines/index.js";
export { SPLIT_KINDS, makeSplit, type Split, type SplitKind } from "./splits.js";
export { intervalCoverage, meanAbsoluteError, rSquared, rocAuc, spearman } from "./metrics.js";
export { EVAL_METRICS, evaluatePredictors, type EvaluationReport } from "./evaluate.js";
export { renderReport, reportJson } from "./evaluate-render.js";
export { datasetRuns, enqueueDataset, generateDataset, type DatasetOptions, type DatasetSummary } from "./dataset.js";
export { planDataset } from "./dataset-plan.js";
export { planGrokkingProbes } from "./dataset-grokking.js";
