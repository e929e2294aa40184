// Baseline "nearest-neighbours": k-NN in the world model's standardized config
// encoding (encode.ts). A query's prediction pools its K nearest training runs
// (weights 1 / (distance + 1), so close runs count more but no single run
// dominates): their mean curves, their spread as the std, their event rates pulled
// toward the global rates. Points none of the neighbours observed fall back to
// the family mean. `support` reports the neighbours' mean distance.

import { encodeConfig, Standardizer } from "../encode.js";
import type { Example, Prediction, Predictor, Query } from "../types.js";
import { eventRates, fillFrom, pool, withObserved } from "./aggregate.js";
import { FamilyMeanPredictor } from "./family-mean.js";
import type { EventKind } from "../types.js";

export const DEFAULT_K = 8;

export class NearestNeighboursPredictor implements Predictor {
  readonly name = "nearest-neighbours";
  private train: Example[] = [];
  private rows: Float32Array[] = [];
  private scaler: Standardizer | null = null;
  private prior: Record<EventKind, number> | null = null;
  private readonly fallback = new FamilyMeanPredictor();

  constructor(readonly k = DEFAULT_K) {}

  async fit(train: Example[]): Promise<void> {
    this.train = [...train];
    const raw = this.train.map((e) => encodeConfig(e.config, e.paramCount || null));
    this.scaler = Standardizer.fit(raw);
    this.rows = raw.map((r) => this.scaler!.apply(r));
    this.prior = eventRates(this.train);
    await this.fallback.fit(this.train);
  }

  /** The k nearest training examples of a config with their distances, nearest first. */
  neighbours(config: unknown): { example: Example; distance: number }[] {
    if (!this.scaler) throw new Error("nearest-neighbours: predict before fit");
    const q = this.scaler.apply(encodeConfig(config));
    const best: { i: number; d: number }[] = [];
    for (let i = 0; i < this.rows.length; i++) {
      const r = this.rows[i]!;
      let d = 0;
      for (let j = 0; j < q.length; j++) d += (q[j]! - r[j]!) ** 2;
      if (best.length < this.k || d < best[best.length - 1]!.d) {
        best.push({ i, d });
        best.sort((a, b) => a.d - b.d || a.i - b.i);
        if (best.length > this.k) best.pop();
      }
    }
    return best.map((b) => ({ example: this.train[b.i]!, distance: Math.sqrt(b.d) }));
  }

  async predict(queries: Query[]): Promise<Prediction[]> {
    return queries.map((q) => {
      const near = this.neighbours(q.config);
      const { prediction } = pool(near.map((n) => n.example), near.map((n) => 1 / (n.distance + 1)), this.prior!);
      fillFrom(prediction, this.fallback.predictConfig(q.config));
      prediction.support = { neighbours: near.length, meanDistance: near.reduce((s, n) => s + n.distance, 0) / Math.max(1, near.length) };
      return withObserved(prediction, q);
    });
  }
}
