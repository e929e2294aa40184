// The chance level of a run's task: the loss and accuracy of a model that has
// learned nothing (a uniform guess over the classes: cross-entropy ln C, accuracy
// 1/C). The world model predicts a config-only curve relative to it instead of
// relative to the training mean (the anchor the net departs from; ensemble.ts
// prefixAnchors), so a run stuck at chance is the default and costs the net
// nothing to get exactly right.
//
// Why: in modular arithmetic most runs never leave chance, so their final test
// losses differ mainly by ln p, a few hundredths of a decade. Two seeds of one
// config rank each other at 0.99 there, the ensemble ranked them at 0.46: on the
// scale of every family's losses those differences were below what the net
// resolves. Regression tasks (mean squared error) have no chance level the config
// states; they keep the training mean, as do configs without a known task family
// and rows shown with their family hidden (a chance level would hint at the
// family: in the synthetic unseen-family test its intervals then covered 0.18).
//
// Measured on the standing dataset (12,599 runs; default options otherwise):
// random split draws 0-2 (seed 0), within-family Spearman 0.840 / 0.861 / 0.772 ->
// 0.842 / 0.848 / 0.800 (mean 0.824 -> 0.830), sign accuracy 0.849 / 0.864 /
// 0.842 -> 0.866 / 0.866 / 0.868 (0.852 -> 0.867, up on all three), divergence
// AUC 0.972 -> 0.970, R^2 0.777 -> 0.777, curve MAE 0.220 -> 0.218, fork signs
// 0.796 -> 0.796, coverage 0.809 -> 0.813; draw 0 with fit seed 1: within-family
// 0.834 -> 0.839, sign accuracy 0.880 -> 0.864. Scale cut: within-family 0.821 ->
// 0.825, sign accuracy 0.772 -> 0.815, R^2 0.694 -> 0.710, curve MAE 0.325 ->
// 0.312, coverage 0.774 -> 0.779, fork signs 0.788 -> 0.743. On a 10,625-run
// snapshot (draw 0): sign accuracy 0.840 -> 0.887. Modular arithmetic itself
// gained little (draw 0: 0.777 -> 0.803): half its test runs sit at chance for
// p = 97 and differ by thousandths of a decade, which the anchor does not resolve.

import { tasks, type TaskName } from "../universe/tasks/index.js";
import { taskSpecOf } from "../universe/config/validate.js";
import type { TaskConfig } from "../universe/config/experiment.js";
import { isObj } from "./encode.js";
import { CURVE_METRICS } from "./types.js";

/** log10 of the loss and the accuracy of a uniform guess over the task's classes; null for regression or an unknown task. */
export function chanceLevel(config: unknown): { log10Loss: number; accuracy: number } | null {
  const task = isObj(config) && isObj(config.task) ? config.task : null;
  if (!task || typeof task.family !== "string" || !(task.family in tasks)) return null;
  let classes: number;
  try {
    const spec = taskSpecOf(task as TaskConfig & { family: TaskName });
    if (spec.loss !== "crossEntropy" || spec.output.kind !== "classes") return null;
    classes = spec.output.classes;
  } catch {
    return null;
  }
  if (!(classes >= 2)) return null;
  return { log10Loss: Math.log10(Math.log(classes)), accuracy: 1 / classes };
}

/**
 * Writes each metric's chance level in normalized target units (the training
 * mean is 0) into out[offset .. offset + metrics): the anchors of a config-only
 * prediction. 0 where the task has no chance level.
 */
export function chanceAnchors(config: unknown, targetMean: ArrayLike<number>, targetStd: ArrayLike<number>, out: Float64Array, offset = 0): Float64Array {
  const level = chanceLevel(config);
  CURVE_METRICS.forEach((m, mi) => {
    const v = level === null ? null : m.endsWith("_loss") ? level.log10Loss : level.accuracy;
    out[offset + mi] = v === null ? 0 : (v - targetMean[mi]!) / targetStd[mi]!;
  });
  return out;
}
