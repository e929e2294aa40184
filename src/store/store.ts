// The store's narrow interface: runs (a queue with leases), curves, checkpoints,
// sweeps, and room for findings, annotations, predictions and designs. One
// implementation speaks SQL through Kysely to SQLite (the embedded default) and to
// PostgreSQL (many machines); callers never see which.
//
// The store knows nothing of training: configs are stored as canonical JSON and
// curves as typed arrays. (It shares the universe's Intervention type.)

/** queued -> running -> completed | diverged | failed; running -> queued when its lease lapses. */
export type RunStatus = "queued" | "running" | "completed" | "diverged" | "failed";

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
}

export interface RunFilter {
  status?: RunStatus | RunStatus[];
  family?: string;
  sweepId?: string;
  configId?: string;
  parentRunId?: string;
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

export interface SweepRecord {
  id: string;
  name: string | null;
  spec: unknown;
  createdAt: number;
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
  /** Extends the lease of the worker's running runs. */
  heartbeat(worker: string, runIds: string[], leaseMs: number): Promise<void>;
  /**
   * Puts running runs back in the queue whose lease has lapsed, or whose worker is
   * in `deadWorkers` (e.g. processes of this host that no longer exist). Returns how many.
   */
  requeueStale(now: number, deadWorkers?: string[]): Promise<number>;
  /** The distinct workers that hold running runs, sorted (to check which are alive). */
  runningWorkers(): Promise<string[]>;
  /**
   * Stores the result and the curves in one transaction, only if the run is still
   * held by `worker`; returns false (and stores nothing) otherwise. So a run's curves
   * are written exactly once even if a lapsed lease let another worker train it too.
   */
  finish(runId: string, worker: string, result: RunResult): Promise<boolean>;
  fail(runId: string, worker: string, error: string): Promise<boolean>;
  /** Stores a run that was trained elsewhere (import): status and curves in one go. */
  insertFinished(run: NewRun, result: RunResult): Promise<string>;

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
}
