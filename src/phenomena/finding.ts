// A finding: one phenomenon a detector saw in one run (or, later, in a sweep).
// Findings are plain data so they can be stored in the `findings` table
// (migration 003) and checked by a person against the plot: the interval says
// where to look, the evidence gives the numbers the detector used, and the
// explanation says in one sentence what should be visible there.

export interface StepInterval {
  fromStep: number;
  toStep: number;
}

/** A point on a sweep axis, e.g. { path: "train.lr", value: 0.01 } (sweep-level detectors). */
export interface Coordinate {
  path: string;
  value: number;
}

export interface Finding {
  kind: string;
  runIds: string[];
  /** strength of the phenomenon, 0 (barely) .. 1 (textbook) */
  score: number;
  interval: StepInterval | null;
  coordinate: Coordinate | null;
  evidence: Record<string, number | number[]>;
  /** one sentence a person can check against the plot */
  explanation: string;
  detector: string;
  detectorVersion: number;
  /** same phenomenon, same runs, same detector version, same place -> same key */
  dedupeKey: string;
}

export interface FindingInput {
  runIds: string[];
  score: number;
  interval: StepInterval | null;
  coordinate?: Coordinate | null;
  evidence: Record<string, number | number[]>;
  explanation: string;
}

/** Completes a finding: clamps the score and derives the dedupe key. */
export function makeFinding(detector: { kind: string; version: number }, f: FindingInput): Finding {
  const runIds = [...f.runIds].sort();
  const coordinate = f.coordinate ?? null;
  const where = f.interval === null ? "-" : `${f.interval.fromStep}-${f.interval.toStep}`;
  const at = coordinate === null ? "" : `:${coordinate.path}=${coordinate.value}`;
  return {
    kind: detector.kind,
    runIds,
    score: clampScore(f.score),
    interval: f.interval,
    coordinate,
    evidence: f.evidence,
    explanation: f.explanation,
    detector: detector.kind,
    detectorVersion: detector.version,
    dedupeKey: `${detector.kind}@${detector.version}:${runIds.join(",")}:${where}${at}`,
  };
}

function clampScore(s: number): number {
  if (!Number.isFinite(s)) return s > 0 ? 1 : 0;
  return Math.min(1, Math.max(0, s));
}
