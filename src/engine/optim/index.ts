// The optimizer table: one entry per kind, so configs can name an optimizer.

import { Adam, AdamW, type AdamOptions } from "./adam.js";
import type { Optimizer } from "./optimizer.js";
import { Sgd, type SgdOptions } from "./sgd.js";
import type { Tensor } from "../tensor.js";

export interface OptimizerOptions {
  sgd: SgdOptions;
  adam: AdamOptions;
  adamw: AdamOptions;
}
export type OptimizerKind = keyof OptimizerOptions;

export const optimizers: { [K in OptimizerKind]: (params: Tensor[], o: OptimizerOptions[K]) => Optimizer } = {
  sgd: (params, o) => new Sgd(params, o),
  adam: (params, o) => new Adam(params, o),
  adamw: (params, o) => new AdamW(params, o),
};

export { Adam, AdamW, Sgd, type AdamOptions, type SgdOptions };
export { Optimizer, type CommonOptions, type PerMember, type StepReport } from "./optimizer.js";
export { scheduleFactor, schedules, type Schedule } from "./schedule.js";
