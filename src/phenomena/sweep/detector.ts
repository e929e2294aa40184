// The sweep detector interface: a pure function from one sweep axis (runs that
// differ in one config value, see view.ts) to findings placed at a coordinate on
// that axis. Like the per-run detectors, sweep detectors never touch the store.

import type { Finding } from "../finding.js";
import type { SweepView } from "./view.js";

export const SWEEP_DETECTOR_KINDS = [
  "model-double-descent",
  "sample-double-descent",
  "non-monotonic",
  "cliff",
  "best-value",
] as const;
export type SweepDetectorKind = (typeof SWEEP_DETECTOR_KINDS)[number];

export interface SweepDetector<K extends SweepDetectorKind = SweepDetectorKind> {
  kind: K;
  /** bump when thresholds or logic change: findings of older versions stay distinguishable */
  version: number;
  /** plain-language definition (also in the file header) */
  definition: string;
  detect(view: SweepView): Finding[];
}

/** The registry's type: a missing or extra kind is a compile error. */
export type SweepDetectorTable = { [K in SweepDetectorKind]: SweepDetector<K> };
