// Validation of an experiment document: schema (with the difficulty knob applied
// first), the task family's own cross-field checks, the fit of the model tree to
// the task, and the recipe's consistency. Every problem is reported, not just the
// first, each as path + expected + found.

import { tasks, type TaskName } from "../tasks/index.js";
import type { TaskSpec } from "../tasks/family.js";
import { fitModel } from "../model.js";
import { UnitFitError } from "../units/unit.js";
import { experimentId } from "./canonical.js";
import { experimentSchema, type Experiment, type TaskConfig } from "./experiment.js";
import { describeValue, formatPath, problemsFromZod, valueAt, type Problem } from "./problems.js";

export type Validation =
  | { ok: true; config: Experiment; id: string; paramCount: number; spec: TaskSpec }
  | { ok: false; problems: Problem[] };

const COMMON_TASK_KEYS = new Set(["family", "difficulty", "seed", "trainSize", "testSize"]);

/** The family's own parameters of a validated task config. */
export function familyParams(task: TaskConfig): Record<string, unknown> {
  return Object.fromEntries(Object.entries(task).filter(([k]) => !COMMON_TASK_KEYS.has(k)));
}

export function taskSpecOf(task: TaskConfig): TaskSpec {
  return tasks[task.family as TaskName].spec(familyParams(task) as never);
}

/** Fills family parameters that the document does not give from the difficulty knob. */
function applyDifficulty(input: unknown): unknown {
  const task = valueAt(input, ["task"]);
  if (task === null || typeof task !== "object") return input;
  const t = task as Record<string, unknown>;
  const family = tasks[t.family as TaskName];
  const d = t.difficulty;
  if (!family || typeof d !== "number" || !(d >= 0 && d <= 1)) return input;
  return { ...(input as object), task: { ...family.difficulty(d), ...t } };
}

export function validateExperiment(input: unknown): Validation {
  if (input === null || typeof input !== "object" || Array.isArray(input)) {
    return { ok: false, problems: [{ path: "(root)", expected: "an object with task, model and train", found: describeValue(input) }] };
  }
  const prepared = applyDifficulty(input);
  const parsed = experimentSchema.safeParse(prepared);
  if (!parsed.success) return { ok: false, problems: problemsFromZod(parsed.error, prepared) };
  const config = parsed.data as Experiment;
  const problems: Problem[] = [];

  const family = tasks[config.task.family as TaskName];
  const params = familyParams(config.task);
  for (const issue of family.check?.(params as never) ?? []) {
    problems.push({ path: formatPath(["task", ...issue.path]), expected: issue.message, found: describeValue(valueAt(params, issue.path)) });
  }
  if (problems.length > 0) return { ok: false, problems };

  const spec = family.spec(params as never);
  let paramCount = 0;
  try {
    paramCount = fitModel(config.model, spec).paramCount;
  } catch (e) {
    if (!(e instanceof UnitFitError)) throw e;
    problems.push({ path: formatPath(["model", ...e.path]), expected: e.expected, found: e.found });
  }
  if (config.train.optimizer === "sgd" && config.train.nesterov && config.train.momentum === 0) {
    problems.push({ path: "train.nesterov", expected: "false when train.momentum is 0 (Nesterov needs momentum)", found: "true" });
  }
  if (config.train.batchSize === "full" && config.task.trainSize === "stream") {
    problems.push({ path: "train.batchSize", expected: 'a number when task.trainSize is "stream" (a stream has no full batch)', found: '"full"' });
  }
  for (const [i, step] of config.log.checkpoints.entries()) {
    if (step > config.train.steps) {
      problems.push({ path: formatPath(["log", "checkpoints", i]), expected: `a step <= train.steps (${config.train.steps})`, found: String(step) });
    }
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, config, id: experimentId(config), paramCount, spec };
}
