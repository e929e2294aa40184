// The phenomena layer: detectors that read recorded training curves and
// report findings (grokking, divergence, loss spikes, plateaus, ...). Pure
// functions over curves; storing findings is the caller's business.

import type { RunCurves, RunRecord } from "../store/store.js";
import type { RunView } from "./detector.js";

export type { CurveView, Detector, DetectorKind, DetectorTable, RunView } from "./detector.js";
export { DETECTOR_KINDS } from "./detector.js";
export type { Coordinate, Finding, StepInterval } from "./finding.js";
export { makeFinding } from "./finding.js";
export { DETECTORS, detectAll, detectorList } from "./detectors/index.js";
export type { AxisKind, SweepPoint, SweepView } from "./sweep/view.js";
export { axisKind, sweepViews } from "./sweep/view.js";
export type { PointOutcome } from "./sweep/outcome.js";
export { finalTestAccuracy, finalTestLoss, isDiverged, pointOutcome } from "./sweep/outcome.js";
export type { SweepDetector, SweepDetectorKind, SweepDetectorTable } from "./sweep/detector.js";
export { SWEEP_DETECTOR_KINDS } from "./sweep/detector.js";
export { SWEEP_DETECTORS, detectSweep, detectSweeps, sweepDetectorList } from "./sweep/index.js";

/** A stored run and its curves (as Store.getCurves returns them) as a detector input. */
export function runView(
  run: Pick<RunRecord, "id" | "status" | "divergedAt" | "config"> & Partial<Pick<RunRecord, "paramCount">>,
  curves: RunCurves,
): RunView {
  return { id: run.id, status: run.status, divergedAt: run.divergedAt, curves, config: run.config, paramCount: run.paramCount ?? null };
}
