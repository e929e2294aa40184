// The world model's shared vocabulary: what one training example looks like
// (a run's config and its curves resampled at fixed fractions of the run), what
// a prediction looks like (mean and spread per point, probability per event),
// and the Predictor contract that the learned model and every baseline meet, so
// one evaluation harness (evaluate.ts) can judge them side by side.

import { DETECTOR_KINDS, type DetectorKind } from "../phenomena/detector.js";

/** The curves the world model predicts. Losses are stored as log10(loss); accuracies as is. */
export const CURVE_METRICS = ["train_loss", "test_loss", "train_acc", "test_acc"] as const;
export type CurveMetric = (typeof CURVE_METRICS)[number];

/**
 * Fractions of the run's total steps at which curves are sampled: log-spaced from
 * 1% to 100% (training curves change on a log-step scale). Point k is at step
 * round(CURVE_FRACTIONS[k] * steps); values are interpolated in log(1 + step).
 */
export const CURVE_POINTS = 16;
export const CURVE_FRACTIONS: readonly number[] = Array.from({ length: CURVE_POINTS }, (_, k) => 10 ** (-2 + (2 * k) / (CURVE_POINTS - 1)));

/** Binary outcomes the world model gives a probability for: divergence and each per-run phenomenon. */
export const EVENT_KINDS = ["diverged", ...DETECTOR_KINDS] as const;
export type EventKind = "diverged" | DetectorKind;

/** One metric at the CURVE_POINTS fractions; NaN where not observed (undefined metric, or after divergence). */
export type CurvePoints = Float64Array;

/** Labels with no event yet: where an example's events start. */
export function noEvents(): Record<EventKind, 0 | 1> {
  return Object.fromEntries(EVENT_KINDS.map((k) => [k, 0])) as Record<EventKind, 0 | 1>;
}

/** A metric not observed at any point (undefined for the task, or not recorded). */
export function unobservedCurve(): CurvePoints {
  return new Float64Array(CURVE_POINTS).fill(NaN);
}

/** One stored run as a training/evaluation example. */
export interface Example {
  runId: string;
  configId: string;
  family: string;
  /** the validated experiment (defaults filled in) */
  config: unknown;
  /** total optimizer steps of the run (train.steps) */
  steps: number;
  paramCount: number;
  /** metric -> values at CURVE_FRACTIONS (losses as log10) */
  curves: Record<CurveMetric, CurvePoints>;
  /** event -> 1 if it happened (divergence: status; phenomena: the per-run detectors found it), else 0 */
  events: Record<EventKind, 0 | 1>;
  /** forks: the parent run, the step it was forked at and the parent's curves (so the model sees the prefix) */
  fork?: { parentRunId: string; forkStep: number } | null;
  /** arbitrary tags (e.g. the sweep id) used by splits and sign-of-effect pairs */
  sweepId?: string | null;
}

/**
 * What is known about a run when predicting: its config, and optionally the
 * observed first part of its curves up to `upToFraction` of the run (learning-curve
 * extrapolation; also how forks are predicted: the parent's curve up to the fork step).
 */
export interface Query {
  config: unknown;
  observed?: { upToFraction: number; curves: Partial<Record<CurveMetric, CurvePoints>> } | null;
}

export interface CurvePrediction {
  /** predicted value at each CURVE_FRACTIONS point (losses as log10) */
  mean: Float64Array;
  /** total predictive standard deviation at each point (epistemic and aleatoric) */
  std: Float64Array;
}

export interface Prediction {
  curves: Record<CurveMetric, CurvePrediction>;
  /** probability of each event */
  events: Record<EventKind, number>;
  /** how much evidence stands behind it: distance (in encoded config space) to the nearest training runs */
  support?: { neighbours: number; meanDistance: number } | null;
}

/** The learned world model and every baseline implement this; evaluate.ts compares them. */
export interface Predictor {
  readonly name: string;
  fit(train: Example[]): Promise<void>;
  predict(queries: Query[]): Promise<Prediction[]>;
}
