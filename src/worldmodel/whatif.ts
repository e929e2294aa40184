// What-if: apply interventions to a config, predict the base and the changed
// experiment with the same ensemble, and report the predicted change in final test
// loss (log10) and accuracy. The interval comes from the members' paired
// differences (member m's changed prediction minus member m's base prediction), so
// error the two share (a member that is off for this region of configs) cancels,
// scaled by the model's config-only calibration factor of the metric.

import { applyInterventions, parseIntervention, type Intervention } from "../universe/config/intervention.js";
import { validateExperiment } from "../universe/config/validate.js";
import { formatProblem } from "../universe/config/problems.js";
import { CURVE_METRICS, CURVE_POINTS, type CurveMetric, type Prediction, type Query } from "./types.js";
import { CURVE_OUTPUTS, cutoffIndex } from "./ensemble.js";
import type { WorldModel } from "./model.js";
import type { Support } from "./support.js";

const Z80 = 1.2815515655446004;

export interface Effect {
  metric: CurveMetric;
  /** predicted final value of the base and of the changed config (losses as log10) */
  base: number;
  changed: number;
  /** changed - base, the mean over members of their paired differences */
  change: number;
  /** 80% interval of the change */
  interval80: [number, number];
  /** share of members whose change has the sign of the mean change */
  memberAgreement: number;
}

export interface WhatIfResult {
  interventions: Intervention[];
  base: { config: unknown; id: string; prediction: Prediction; support: Support };
  changed: { config: unknown; id: string; prediction: Prediction; support: Support };
  /** predicted change in final test loss (log10) and test accuracy (null when the task has no accuracy) */
  effects: { testLoss: Effect; testAcc: Effect | null };
}

export class InvalidConfigError extends Error {
  constructor(what: string, readonly problems: string[]) {
    super(`${what} is not a valid experiment:\n  ${problems.join("\n  ")}`);
    this.name = "InvalidConfigError";
  }
}

function validated(doc: unknown, what: string) {
  const v = validateExperiment(doc);
  if (!v.ok) throw new InvalidConfigError(what, v.problems.map(formatProblem));
  return v;
}

/** The paired effect on the final point of `metric` from per-member outputs (rows 0 = base, 1 = changed). */
export function pairedEffect(model: WorldModel, out: ReturnType<WorldModel["memberOutputs"]>, metric: CurveMetric, withPrefix = false): Effect {
  const mi = CURVE_METRICS.indexOf(metric);
  const j = mi * CURVE_POINTS + CURVE_POINTS - 1;
  const P = out.members;
  const diffs: number[] = [];
  let base = 0, changed = 0;
  for (let p = 0; p < P; p++) {
    const b = out.mean[(p * out.rows + 0) * CURVE_OUTPUTS + j]!;
    const c = out.mean[(p * out.rows + 1) * CURVE_OUTPUTS + j]!;
    base += b / P;
    changed += c / P;
    diffs.push(c - b);
  }
  const change = diffs.reduce((a, b) => a + b, 0) / P;
  const sd = P > 1 ? Math.sqrt(diffs.reduce((s, d) => s + (d - change) ** 2, 0) / (P - 1)) : 0;
  const half = Z80 * sd * model.trained.calibration[(withPrefix ? CURVE_METRICS.length : 0) + mi]!;
  const agree = diffs.filter((d) => Math.sign(d) === Math.sign(change)).length / P;
  return { metric, base, changed, change, interval80: [change - half, change + half], memberAgreement: agree };
}

/**
 * Predicts `baseConfig` and the config after `interventions` (objects or
 * `path=value` strings). `observed` (the base run's curves so far) conditions both
 * predictions, as for a fork of a running experiment.
 */
export function whatIf(model: WorldModel, baseConfig: unknown, interventions: readonly (Intervention | string)[], opts: { observed?: Query["observed"] } = {}): WhatIfResult {
  const ivs = interventions.map((iv) => (typeof iv === "string" ? parseIntervention(iv) : iv));
  const base = validated(baseConfig, "the base config");
  // applied to the document as given, like `toyworld run --set`, so that a change of
  // task.difficulty still re-derives the family parameters it did not fix; when a
  // multiplied field is only there as a default, to the validated config instead
  let changedDoc: unknown;
  try {
    changedDoc = applyInterventions(baseConfig, ivs);
  } catch {
    changedDoc = applyInterventions(base.config, ivs);
  }
  const changed = validated(changedDoc, `the config after ${ivs.map((i) => `${i.path}${i.op === "mul" ? "=x" : "="}${JSON.stringify(i.value)}`).join(", ")}`);
  const queries: Query[] = [{ config: base.config, observed: opts.observed ?? null }, { config: changed.config, observed: opts.observed ?? null }];
  const [pb, pc] = model.predictSync(queries) as [Prediction, Prediction];
  const out = model.memberOutputs(queries);
  const hasAcc = changed.spec.metrics.includes("accuracy");
  const withPrefix = !!opts.observed && cutoffIndex(opts.observed.upToFraction) >= 0;
  return {
    interventions: ivs,
    base: { config: base.config, id: base.id, prediction: pb, support: model.support(queries[0]!) },
    changed: { config: changed.config, id: changed.id, prediction: pc, support: model.support(queries[1]!) },
    effects: { testLoss: pairedEffect(model, out, "test_loss", withPrefix), testAcc: hasAcc ? pairedEffect(model, out, "test_acc", withPrefix) : null },
  };
}
