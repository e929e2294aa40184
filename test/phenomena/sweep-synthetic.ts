// Synthetic sweeps for the sweep detector tests: runs of a base experiment
// (a one-hidden-layer MLP on a Gaussian mixture, as in the double-descent
// preset) with config values set by path, whose curves settle at a chosen final
// test loss (and accuracy), or diverge early. Built on synthetic.ts.

import type { RunView } from "../../src/phenomena/detector.js";
import { parsePath } from "../../src/universe/config/intervention.js";
import { fall, run, sig, stepsUpTo } from "./synthetic.js";

export const TRAIN_SIZE = 1000;

/** a validated-looking experiment config (the fields sweep views read) */
export function baseConfig(): Record<string, unknown> {
  return {
    name: "sweep-test",
    task: { family: "gaussian-mixture", dim: 20, classes: 10, separation: 3, labelNoise: 0.2, difficulty: null, trainSize: TRAIN_SIZE, testSize: 2048, seed: 0 },
    model: { unit: "sequential", children: [{ unit: "linear", width: 32, bias: true }, { unit: "activation", fn: "relu" }, { unit: "readout" }] },
    train: { optimizer: "adam", lr: 1e-3, weightDecay: 0, batchSize: "full", steps: 10_000, seed: 0, evalPoints: 150 },
    log: { sharpness: false, checkpoints: [] },
  };
}

/** a deep copy of config with the given paths set */
export function withValues(config: unknown, values: Record<string, unknown>): Record<string, unknown> {
  const out = structuredClone(config) as Record<string, unknown>;
  for (const [path, value] of Object.entries(values)) {
    const keys = parsePath(path);
    let cur = out as Record<string | number, unknown>;
    for (const k of keys.slice(0, -1)) cur = cur[k] as Record<string | number, unknown>;
    cur[keys[keys.length - 1]!] = value;
  }
  return out;
}

/** parameters of the base MLP at a hidden width: (20 + 1) w + (w + 1) 10 */
export const mlpParams = (width: number): number => 31 * width + 10;

export interface SweepRunSpec {
  id?: string;
  config: unknown;
  /** final test loss (the curve falls to it from 2.3) */
  testLoss?: number;
  /** final test accuracy (from 0.1), when the run records accuracy */
  testAcc?: number;
  diverged?: boolean;
  paramCount?: number;
}

const steps = stepsUpTo(10_000);

export function sweepRun(spec: SweepRunSpec): RunView {
  const base = { ...(spec.id === undefined ? {} : { id: spec.id }), config: spec.config };
  const r = spec.diverged
    ? run({ ...base, status: "diverged", divergedAt: 60, steps: stepsUpTo(60), metrics: { train_loss: () => 2.3, test_loss: () => 2.3 } })
    : run({
      ...base,
      steps,
      metrics: {
        train_loss: fall(100, 2.3, (spec.testLoss ?? 1) / 2),
        test_loss: fall(100, 2.3, spec.testLoss ?? 1),
        ...(spec.testAcc === undefined ? {} : { test_acc: (s: number) => 0.1 + (spec.testAcc! - 0.1) * sig(s, 100) }),
      },
    });
  return spec.paramCount === undefined ? r : { ...r, paramCount: spec.paramCount };
}

/** one run per value of `path` (repeats: one per seed, losses given per repeat) */
export interface AxisPoint {
  value: number;
  /** final test loss of each repeat (default one run at 1) */
  testLoss?: number[];
  testAcc?: number;
  diverged?: boolean;
  paramCount?: number;
  /** more paths set at this point */
  extra?: Record<string, unknown>;
}

/** the runs of an axis over `path`: one per point and repeat, repeats differing in train.seed */
export function axisRuns(path: string, points: AxisPoint[], base = baseConfig()): RunView[] {
  return points.flatMap((p) => (p.testLoss ?? [1]).map((loss, seed) => {
    const config = withValues(base, { [path]: p.value, "train.seed": seed, ...p.extra });
    return sweepRun({
      config, testLoss: loss,
      ...(p.testAcc === undefined ? {} : { testAcc: p.testAcc }),
      ...(p.diverged ? { diverged: true } : {}),
      ...(p.paramCount === undefined ? {} : { paramCount: p.paramCount }),
    });
  }));
}
