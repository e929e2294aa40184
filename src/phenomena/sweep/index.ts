// Sweep-level phenomenon detectors: findings that only show across runs, such
// as model-wise double descent or a learning-rate cliff. detectSweeps groups
// the given runs into one-at-a-time axes (see view.ts) and runs every sweep
// detector over every axis. The registry is typed by SweepDetectorKind: adding
// a kind without a detector (or the reverse) is a compile error.

import type { RunView } from "../detector.js";
import type { Finding } from "../finding.js";
import { bestValue } from "./best-value.js";
import { cliff } from "./cliff.js";
import { SWEEP_DETECTOR_KINDS, type SweepDetector, type SweepDetectorKind, type SweepDetectorTable } from "./detector.js";
import { modelDoubleDescent } from "./model-double-descent.js";
import { nonMonotonic } from "./non-monotonic.js";
import { sampleDoubleDescent } from "./sample-double-descent.js";
import { sweepViews, type SweepView } from "./view.js";

export const SWEEP_DETECTORS: SweepDetectorTable = {
  "model-double-descent": modelDoubleDescent,
  "sample-double-descent": sampleDoubleDescent,
  "non-monotonic": nonMonotonic,
  "cliff": cliff,
  "best-value": bestValue,
};

export function sweepDetectorList(): SweepDetector[] {
  return SWEEP_DETECTOR_KINDS.map((k) => SWEEP_DETECTORS[k] as SweepDetector);
}

/** Runs every sweep detector (or the given ones) on one axis. */
export function detectSweep(view: SweepView, kinds: readonly SweepDetectorKind[] = SWEEP_DETECTOR_KINDS): Finding[] {
  return kinds.flatMap((k) => (SWEEP_DETECTORS[k] as SweepDetector).detect(view));
}

/** Every sweep finding over the one-at-a-time axes found among the runs. */
export function detectSweeps(runs: RunView[]): Finding[] {
  return sweepViews(runs).flatMap((view) => detectSweep(view));
}
