// The detector interface: a pure function from one run's curves to findings.
// Detectors never touch the store; a caller loads runs and curves and hands
// them over as RunViews (a RunRecord plus its RunCurves fit this shape).

import type { Finding } from "./finding.js";

export const DETECTOR_KINDS = [
  "grokking",
  "memorization",
  "divergence",
  "loss-spike",
  "plateau-drop",
  "overfitting",
  "slow-learning",
  "epoch-double-descent",
  "edge-of-stability",
] as const;
export type DetectorKind = (typeof DETECTOR_KINDS)[number];

export interface CurveView {
  steps: ArrayLike<number>;
  values: ArrayLike<number>;
}

export interface RunView {
  id: string;
  status: string;
  divergedAt: number | null;
  /** metric -> curve; values NaN where undefined */
  curves: Record<string, CurveView>;
  config?: unknown;
  /** trainable parameters of the model, when known (sweep detectors use it) */
  paramCount?: number | null;
}

export interface Detector<K extends DetectorKind = DetectorKind> {
  kind: K;
  /** bump when thresholds or logic change: findings of older versions stay distinguishable */
  version: number;
  /** plain-language definition (also in the file header) */
  definition: string;
  detect(run: RunView): Finding[];
}

/** The registry's type: a missing or extra kind is a compile error. */
export type DetectorTable = { [K in DetectorKind]: Detector<K> };
