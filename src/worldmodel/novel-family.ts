// Task families the world model has never trained on. Its intervals are
// calibrated on held-out runs of known families, where the family is given; a
// run of a new family carries its own offset that nothing the model learned
// reveals, so those intervals are far too narrow there. The model therefore has a
// family-agnostic mode: a config is encoded without its family (the task keeps
// only the fields every family has, so neither the family's one-hot, nor its
// knobs, nor their names in the hashing block remain). Runs of a family without
// training runs are always predicted in this mode; a third set of interval
// factors is calibrated on held-out runs predicted in it; and training may show
// rows in it (family dropout), so the mode is learned rather than extrapolated.

import { commonTaskFields } from "../universe/config/experiment.js";
import { encodeConfig } from "./encode.js";
import { paramCountOf } from "./param-count.js";

const COMMON_TASK_FIELDS = Object.keys(commonTaskFields);

/** The config with a task of none of the families: only the fields common to every task are kept. */
export function withoutFamily(config: unknown): unknown {
  if (config === null || typeof config !== "object") return config;
  const c = config as { task?: unknown };
  const task = c.task !== null && typeof c.task === "object" ? (c.task as Record<string, unknown>) : {};
  return { ...c, task: Object.fromEntries(COMMON_TASK_FIELDS.filter((k) => k in task).map((k) => [k, task[k]])) };
}

/**
 * The raw encoding of a config in the family-agnostic mode (into `out`). The
 * parameter count still comes from the real task (input and output sizes), as
 * the run's model is the same.
 */
export function encodeWithoutFamily(config: unknown, paramCount?: number | null, out?: Float32Array<ArrayBuffer>): Float32Array {
  return encodeConfig(withoutFamily(config), paramCount ?? paramCountOf(config), out);
}
