// Synthetic world-model examples with a known map from config to curves: a
// teacher-student MLP whose final log10 test loss is a smooth function of the
// learning rate and the width (plus seeded noise), and whose curve decays from a
// common start towards it. A hidden per-run offset (not in the config) shows in
// the whole curve, so an observed prefix carries information the config lacks.

import { Rng, Stream } from "../../src/engine/index.js";
import { validateExperiment } from "../../src/universe/config/validate.js";
import { CURVE_FRACTIONS, noEvents, unobservedCurve, type Example } from "../../src/worldmodel/types.js";

export interface SyntheticOptions {
  n: number;
  seed?: number;
  /** sd of the run-level noise on the final loss (seeds) */
  noise?: number;
  /** sd of the hidden per-run offset visible in the prefix */
  hidden?: number;
}

export function syntheticConfig(lr: number, width: number, seed = 0): unknown {
  const v = validateExperiment({
    task: { family: "teacher-student", seed },
    model: { unit: "sequential", children: [{ unit: "mlp", width, depth: 1 }, { unit: "readout" }] },
    train: { lr, steps: 1000, seed },
  });
  if (!v.ok) throw new Error(JSON.stringify(v.problems));
  return v.config;
}

/** The noiseless final log10 loss: a valley in log lr around 1e-2.5, better with width. */
export function trueFinal(lr: number, width: number): number {
  return 0.5 * (Math.log10(lr) + 2.5) ** 2 - 0.3 * Math.log2(width / 16) - 1;
}

const START = 0.5;

/** The curve of a run at fraction f: from START down to `final` on a log-step scale. */
export function curveAt(final: number, f: number): number {
  const t = (Math.log10(f) + 2) / 2; // 0 at 1%, 1 at 100%
  return START + (final - START) * Math.sqrt(t);
}

/** What a loss-only example needs to say; the rest is the same in every test. */
export interface LossExampleFields {
  runId: string;
  configId: string;
  family: string;
  config: unknown;
  /** log10 test loss at each of the CURVE_FRACTIONS; train loss lies 0.1 below it */
  test: Float64Array;
  sweepId?: string | null;
}

/** A 1,000-step run of a loss-only task (no accuracies) without events or lineage. */
export function lossExample(o: LossExampleFields): Example {
  return {
    runId: o.runId, configId: o.configId, family: o.family, config: o.config, steps: 1000, paramCount: 0,
    curves: { train_loss: o.test.map((v) => v - 0.1), test_loss: o.test, train_acc: unobservedCurve(), test_acc: unobservedCurve() },
    events: noEvents(), fork: null, sweepId: o.sweepId ?? null,
  };
}

export function syntheticExamples(o: SyntheticOptions): Example[] {
  const rng = new Rng(o.seed ?? 1, Stream.data);
  const out: Example[] = [];
  for (let i = 0; i < o.n; i++) {
    const lr = 10 ** (-4 + 3 * rng.uniform());
    const width = [8, 16, 32, 64, 128][rng.int(5)]!;
    const final = trueFinal(lr, width) + (o.noise ?? 0.05) * rng.normal() + (o.hidden ?? 0) * rng.normal();
    const test = Float64Array.from(CURVE_FRACTIONS, (f) => curveAt(final, f));
    const e = lossExample({ runId: `syn-${o.seed ?? 1}-${i}`, configId: `c${i}`, family: "teacher-student", config: syntheticConfig(lr, width, i), test });
    e.events.diverged = lr > 0.03 ? 1 : 0;
    out.push(e);
  }
  return out;
}

/** Spearman rank correlation. */
export function spearman(a: readonly number[], b: readonly number[]): number {
  const rank = (x: readonly number[]) => {
    const idx = x.map((v, i) => [v, i] as const).sort((p, q) => p[0] - q[0]);
    const r = new Array<number>(x.length);
    idx.forEach(([, i], k) => (r[i] = k));
    return r;
  };
  const ra = rank(a), rb = rank(b);
  const n = a.length, ma = (n - 1) / 2;
  let num = 0, da = 0, db = 0;
  for (let i = 0; i < n; i++) {
    num += (ra[i]! - ma) * (rb[i]! - ma);
    da += (ra[i]! - ma) ** 2;
    db += (rb[i]! - ma) ** 2;
  }
  return num / Math.sqrt(da * db);
}
