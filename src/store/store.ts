// The store's narrow interface: runs (a queue with leases), curves, checkpoints,
// sweeps, findings with their annotations, world-model versions and predictions. One
// implementation speaks SQL through Kysely to SQLite (the embedded default) and to
// PostgreSQL (many machines); callers never see which.
//
// The store knows nothing of training: configs are stored as canonical JSON and
// curves as typed arrays. (It shares the universe's Intervention type.)

/**
 * queued -> running -> completed | diverged | failed; running -> queued when its lease
 * lapses; queued | running -> cancelled by a person (terminal: never claimed again, and
 * the worker that was training it stores nothing).
 */
export type RunStatus = "queued" | "running" | "completed" | "diverged" | "failed" | "cancelled";

import type { Intervention } from "../universe/config/intervention.js";

export type { Intervention };

export interface Lineage {
  parentRunId: string;
  /** the parent's checkpoint step the fork starts from */
  forkStep: number;
  interventions: Intervention[];
}

export interface NewRun {
  /** the experiment's content id (universe/config/canonical.ts) */
  configId: string;
  /** the validated config, with defaults filled in */
  config: unknown;
  /** task family, for filtering */
  family: string;
  name?: string | null;
  sweepId?: string | null;
  lineage?: Lineage | null;
  /** higher first; default 0 */
  priority?: number;
}

export interface RunRecord {
  id: string;
  configId: string;
  config: unknown;
  family: string;
  name: string | null;
  status: RunStatus;
  sweepId: string | null;
  lineage: Lineage | null;
  priority: number;
  /** who holds (or last held) the run: "host:pid" */
  worker: string | null;
  /** how often the run was put back in the queue (0 for a run claimed once) */
  attempts: number;
  error: string | null;
  divergedAt: number | null;
  /** parameters per member, when known */
  paramCount: number | null;
  wallSeconds: number | null;
  /** milliseconds since the epoch */
  createdAt: number;
  startedAt: number | null;
  finishedAt: number | null;
  leaseUntil: number | null;
}

/** One metric of one run: values at steps (NaN where not defined). */
export interface Curve {
  steps: Int32Array;
  values: Float64Array;
}

/** metric name -> curve */
export type RunCurves = Record<string, Curve>;

export interface RunResult {
  status: "completed" | "diverged";
  divergedAt: number | null;
  wallSeconds: number;
  paramCount: number | null;
  curves: RunCurves;
  /** the run's checkpoints, stored with the result (so a run that is no longer held stores none) */
  checkpoints?: { step: number; data: Uint8Array }[];
}

export interface RunFilter {
  status?: RunStatus | RunStatus[];
  family?: string;
  sweepId?: string;
  configId?: string;
  parentRunId?: string;
  /** ids starting with this (case-insensitive) */
  idPrefix?: string;
  /** newest first by default */
  limit?: number;
  offset?: number;
}

export interface Checkpoint {
  runId: string;
  step: number;
  /** opaque serialized state (parameters and optimizer state) */
  data: Uint8Array;
}

/** What deleteRuns removed (or, as a dry run, would remove). */
export interface DeletedRuns {
  /** the runs, in input order, without duplicates or ids the store does not hold */
  runIds: string[];
  /** curve rows (one per run and metric) and checkpoint rows */
  curves: number;
  checkpoints: number;
  /** findings that involve a deleted run, and those findings' annotations */
  findingIds: string[];
  annotations: number;
  /** predictions made for a deleted run */
  predictions: number;
  /** sweeps whose every run is deleted: they go too */
  sweepIds: string[];
}

/** Why deleteRuns deleted nothing: runs that are running, and forks whose parent would go without them. */
export class DeleteRefused extends Error {
  /** what stands in the way, worded for whoever chose the runs (the runner's rm repeats it) */
  readonly reason: string;
  constructor(
    readonly running: string[],
    readonly orphanedForks: { parent: string; fork: string }[],
  ) {
    const reasons: string[] = [];
    if (running.length > 0) reasons.push(`${running.join(", ")} ${running.length === 1 ? "is" : "are"} running: cancel first`);
    if (orphanedForks.length > 0) {
      const forks = [...new Set(orphanedForks.map((o) => o.fork))];
      const parents = [...new Set(orphanedForks.map((o) => o.parent))];
      reasons.push(`${parents.join(", ")} ${parents.length === 1 ? "has forks" : "have forks"} ${forks.join(", ")} that would lose their parent: delete them too`);
    }
    const reason = reasons.join("; ");
    super(`store: nothing deleted: ${reason}`);
    this.reason = reason;
  }
}

export interface SweepRecord {
  id: string;
  name: string | null;
  spec: unknown;
  createdAt: number;
}

// ---- analysis: findings of the phenomena layer, people's verdicts, the world model ----

/** A detected phenomenon as stored (the phenomena layer's Finding has this shape). */
export interface FindingData {
  kind: string;
  runIds: string[];
  /** 0 (barely) .. 1 (textbook) */
  score: number;
  interval: { fromStep: number; toStep: number } | null;
  /** a point on a sweep axis (sweep-level findings) */
  coordinate: { path: string; value: number } | null;
  evidence: Record<string, number | number[]>;
  explanation: string;
  detector: string;
  detectorVersion: number;
  /** unique: storing a finding with a known key stores nothing */
  dedupeKey: string;
}

export interface FindingRecord extends FindingData {
  id: string;
  createdAt: number;
}

export interface FindingFilter {
  kind?: string | string[];
  /** findings that involve this run */
  runId?: string;
  /** findings that involve a run of this sweep */
  sweepId?: string;
  detector?: string;
  /** only the newest stored version of each detector */
  latestVersions?: boolean;
  /** ids starting with this (case-insensitive) */
  idPrefix?: string;
  /** newest first */
  limit?: number;
  offset?: number;
}

export type Verdict = "confirm" | "reject";

export interface NewAnnotation {
  findingId: string;
  verdict: Verdict;
  note?: string | null;
  tags?: string[];
}

export interface AnnotationRecord extends Required<NewAnnotation> {
  id: string;
  createdAt: number;
}

export interface WorldModelRecord {
  id: string;
  /** strictly increasing in the order versions were put */
  createdAt: number;
  params: Uint8Array;
  meta: unknown;
  evaluation: unknown | null;
}

export interface NewPrediction {
  runId: string | null;
  configId: string | null;
  worldModelId: string;
  predicted: unknown;
  outcome?: unknown | null;
}

export interface PredictionRecord extends NewPrediction {
  id: string;
  createdAt: number;
  outcome: unknown | null;
}

export interface PredictionFilter {
  runId?: string;
  configId?: string;
  worldModelId?: string;
}

export interface Store {
  readonly kind: "sqlite" | "postgres";
  close(): Promise<void>;

  // queue
  enqueue(runs: NewRun[]): Promise<string[]>;
  /**
   * Atomically takes up to `limit` queued runs (highest priority, then oldest) for
   * `worker`, marking them running with a lease of `leaseMs`. Concurrent claimers
   * never receive the same run.
   */
  claim(worker: string, limit: number, leaseMs: number): Promise<RunRecord[]>;
  /**
   * Extends the lease of the worker's running runs. Returns the ids among `runIds`
   * the worker still holds: a run missing from it was cancelled, deleted or (its lease
   * lapsed) taken by another worker, and the worker should stop caring about it.
   */
  heartbeat(worker: string, runIds: string[], leaseMs: number): Promise<string[]>;
  /**
   * Puts running runs back in the queue whose lease has lapsed, or whose worker is
   * in `deadWorkers` (e.g. processes of this host that no longer exist). Returns how many.
   */
  requeueStale(now: number, deadWorkers?: string[]): Promise<number>;
  /** The distinct workers that hold running runs, sorted (to check which are alive). */
  runningWorkers(): Promise<string[]>;
  /**
   * Stores the result, the curves and the checkpoints in one transaction, only if the
   * run is still held by `worker`; returns false (and stores nothing) otherwise. So a
   * run's curves are written exactly once even if a lapsed lease let another worker
   * train it too, and never for a run cancelled while it trained.
   */
  finish(runId: string, worker: string, result: RunResult): Promise<boolean>;
  fail(runId: string, worker: string, error: string): Promise<boolean>;
  /** Stores a run that was trained elsewhere (import): status and curves in one go. */
  insertFinished(run: NewRun, result: RunResult): Promise<string>;
  /**
   * Marks the queued and running runs among `ids` cancelled, in one transaction, and
   * returns their ids (in input order). Runs in another status, and ids the store does
   * not hold, are left as they are. A cancelled running run keeps its worker for the
   * record; that worker's finish, fail and heartbeat no longer touch it.
   */
  cancelRuns(ids: string[]): Promise<string[]>;
  /**
   * Puts the cancelled and failed runs among `ids` back in the queue, in one
   * transaction, and returns their ids (in input order); other runs and unknown ids
   * are left as they are. Neither kind has curves or checkpoints (the store refuses
   * them after a cancel, and a failure writes none), so a requeued run is a queued
   * run again: its error and start and end times are cleared, its priority kept, and
   * one that had started counts one more attempt.
   */
  requeueRuns(ids: string[]): Promise<string[]>;
  /**
   * Deletes runs with everything stored for them: curves, checkpoints, the findings
   * that involve them (with those findings' annotations), predictions made for them,
   * and sweeps left without runs. One transaction; throws (deleting nothing) if a run
   * is running, or is the parent of a fork that is not among `ids`. With `dryRun`,
   * the same checks and counts, and nothing is deleted.
   */
  deleteRuns(ids: string[], options?: { dryRun?: boolean }): Promise<DeletedRuns>;

  // reads
  getRun(id: string): Promise<RunRecord | null>;
  listRuns(filter?: RunFilter): Promise<RunRecord[]>;
  countRuns(filter?: RunFilter): Promise<Record<RunStatus, number>>;
  /**
   * Curves of many runs at once (all metrics unless `metrics` is given). Runs without
   * curves are absent from the map. Arrays may share one buffer: copy before transferring.
   */
  getCurves(runIds: string[], metrics?: string[]): Promise<Map<string, RunCurves>>;

  // checkpoints
  putCheckpoint(c: Checkpoint): Promise<void>;
  getCheckpoint(runId: string, step: number): Promise<Checkpoint | null>;
  listCheckpointSteps(runId: string): Promise<number[]>;

  // sweeps
  createSweep(name: string | null, spec: unknown): Promise<string>;
  getSweep(id: string): Promise<SweepRecord | null>;

  // findings and annotations
  /**
   * Inserts the findings whose dedupeKey is not stored yet (one transaction).
   * `ids` has one entry per input, in order: the new id, or the stored finding's id
   * when the key was already there. Concurrent callers never store a key twice.
   */
  putFindings(findings: FindingData[]): Promise<{ ids: string[]; inserted: number }>;
  /** Newest first (then by id). */
  listFindings(filter?: FindingFilter): Promise<FindingRecord[]>;
  getFinding(id: string): Promise<FindingRecord | null>;
  /** Throws if the finding does not exist. */
  addAnnotation(a: NewAnnotation): Promise<string>;
  /** Oldest first. */
  listAnnotations(filter?: { findingIds?: string[] }): Promise<AnnotationRecord[]>;

  // world model
  putWorldModel(v: { id: string; params: Uint8Array; meta: unknown; evaluation: unknown | null }): Promise<void>;
  /** Throws if there is no such version. */
  setWorldModelEvaluation(id: string, evaluation: unknown): Promise<void>;
  /** The version `id`, or the latest one put when `id` is omitted. */
  getWorldModel(id?: string): Promise<WorldModelRecord | null>;
  /** Newest first, without params. */
  listWorldModels(): Promise<Omit<WorldModelRecord, "params">[]>;
  /** Ids in input order. */
  putPredictions(p: NewPrediction[]): Promise<string[]>;
  /** Throws if there is no such prediction. */
  setPredictionOutcome(id: string, outcome: unknown): Promise<void>;
  /** Oldest first (then by id). */
  listPredictions(filter?: PredictionFilter): Promise<PredictionRecord[]>;
}
