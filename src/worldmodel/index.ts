// The world model's public API: the shared vocabulary (types.ts), the encoding of
// configs, examples from the store, the learned ensemble predictor, what-if
// questions and versions in the store.

export * from "./types.js";
export { FEATURE_COUNT, FEATURE_NAMES, HASH_BUCKETS, Standardizer, encodeConfig, paramCountOf } from "./encode.js";
export { exampleFromCurves, exampleFromRun, forkObserved, loadExamples, pointStep, resampleCurve, type CurvesSource, type LoadExamplesOptions } from "./examples.js";
export { DEFAULT_TRAIN_OPTIONS, type EnsembleTrainOptions, type EnsembleTrainReport } from "./ensemble-train.js";
export { WORLD_MODEL_VERSION, WorldModel, type FitOptions, type MemberOutputs, type WorldModelMeta } from "./model.js";
export type { Support } from "./support.js";
export { InvalidConfigError, whatIf, type Effect, type WhatIfResult } from "./whatif.js";
export { loadWorldModel, saveWorldModel, trainWorldModel, type TrainWorldModelOptions, type TrainWorldModelResult } from "./persist.js";
