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

/** A stored run and its curves (as Store.getCurves returns them) as a detector input. */
export function runView(run: Pick<RunRecord, "id" | "status" | "divergedAt" | "config">, curves: RunCurves): RunView {
  return { id: run.id, status: run.status, divergedAt: run.divergedAt, curves, config: run.config };
}
