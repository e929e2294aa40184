// Baseline "family-mean": predicts for a config the mean curve and the event rates
// of the training runs of its task family (point by point, with their spread as
// the std); families with fewer than MIN_FAMILY_RUNS training runs, and points a
// family never observed, fall back to the mean over all training runs. It knows
// nothing of the model or the recipe: a world model that does not beat it has not
// learned anything beyond "which task is it".

import { familyOf } from "../examples.js";
import { CURVE_METRICS, CURVE_POINTS, type Example, type Prediction, type Predictor, type Query } from "../types.js";
import { clonePrediction, eventRates, fillFrom, pool, withObserved } from "./aggregate.js";
import { groupBy } from "../group-by.js";

export const MIN_FAMILY_RUNS = 3;

/** Points nothing was observed at: log10 loss 0 (loss 1) / accuracy 0, with a wide std. */
function uninformed(): Prediction {
  const curves = {} as Prediction["curves"];
  for (const m of CURVE_METRICS) curves[m] = { mean: new Float64Array(CURVE_POINTS), std: new Float64Array(CURVE_POINTS).fill(1) };
  return { curves, events: {} as Prediction["events"] };
}

export class FamilyMeanPredictor implements Predictor {
  readonly name = "family-mean";
  private global: Prediction | null = null;
  private byFamily = new Map<string, Prediction>();

  async fit(train: Example[]): Promise<void> {
    const prior = eventRates(train);
    this.global = fillFrom(pool(train, undefined, prior).prediction, uninformed());
    this.byFamily.clear();
    const groups = groupBy(train, (e) => e.family);
    for (const [family, list] of groups) {
      if (list.length >= MIN_FAMILY_RUNS) this.byFamily.set(family, fillFrom(pool(list, undefined, prior).prediction, this.global));
    }
  }

  /** The prediction for a config alone (no observed prefix), as a fresh copy. */
  predictConfig(config: unknown): Prediction {
    if (!this.global) throw new Error("family-mean: predict before fit");
    return clonePrediction(this.byFamily.get(familyOf(config)) ?? this.global);
  }

  async predict(queries: Query[]): Promise<Prediction[]> {
    return queries.map((q) => withObserved(this.predictConfig(q.config), q));
  }
}
