// The experiment generator: sample experiments from priors over the whole universe
// (tasks x model trees x recipes), mutate them, cross them over and scale them,
// every result a valid experiment. This file is the public surface.

export {
  DEFAULT_LIMITS, DEFAULT_PRIORS, COST_MODEL, MAX_ATTEMPTS, estimateCost, sampleExperiment, sampleExperimentInfo, sampleExperimentInfos,
  sampleExperiments, type CostEstimate, type Priors, type SampleInfo, type SampleLimits,
} from "./sample.js";
export {
  MUTATION_WEIGHTS, mutate, mutationOperators, newStats, type Change, type MutateOptions, type MutationName, type Offspring, type OperatorStats,
} from "./mutate.js";
export {
  CROSSOVER_WEIGHTS, crossover, type CrossoverChange, type CrossoverName, type CrossoverOffspring, type CrossoverOptions,
} from "./crossover.js";
export { scaleExperiment, scaleLadder, scaleTreeDepth, scaleTreeWidths, type ScaleOptions, type ScaledExperiment } from "./scale.js";
export { GenerateError, compactExperiment, normalize, type Normalized } from "./normalize.js";
export { DEFAULT_TASK_PRIOR, paramPriors, resolveTask, sampleTask, type TaskPrior } from "./tasks.js";
export { DEFAULT_MODEL_PRIOR, sampleModel, type ModelPrior } from "./models.js";
export { DEFAULT_RECIPE_PRIOR, sampleRecipe, type RecipePrior } from "./recipe.js";
export { generatorRng } from "./random.js";
