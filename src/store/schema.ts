// The database's tables as Kysely sees them: one interface per table, column
// names as in SQL (snake_case). JSON columns hold text, blobs are Buffers, times
// are integer milliseconds since the epoch (pg's bigint is parsed to a number by
// connect.ts). The migrations in ./migrations create exactly these tables.

import type { ColumnType } from "kysely";
import type { RunStatus } from "./store.js";

/** A binary column: Buffer when read, Buffer or Uint8Array when written. */
export type Blob = ColumnType<Buffer, Buffer | Uint8Array, Buffer | Uint8Array>;

export interface RunsTable {
  id: string;
  config_id: string;
  /** canonical JSON */
  config: string;
  family: string;
  name: string | null;
  status: RunStatus;
  sweep_id: string | null;
  parent_run_id: string | null;
  fork_step: number | null;
  /** JSON array of interventions, with a parent run */
  interventions: string | null;
  priority: number;
  worker: string | null;
  attempts: number;
  error: string | null;
  diverged_at: number | null;
  param_count: number | null;
  wall_seconds: number | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
  lease_until: number | null;
}

export interface CurvesTable {
  run_id: string;
  metric: string;
  /** number of points */
  points: number;
  /** int32 little-endian */
  steps: Blob;
  /** float64 little-endian */
  vals: Blob;
}

export interface CheckpointsTable {
  run_id: string;
  step: number;
  data: Blob;
  created_at: number;
}

export interface SweepsTable {
  id: string;
  name: string | null;
  /** JSON */
  spec: string;
  created_at: number;
}

// ---- later layers: created now so their migrations need not touch the queue ----

export interface FindingsTable {
  id: string;
  kind: string;
  detector: string;
  detector_version: number;
  score: number;
  /** the step interval, both null when the finding has none */
  from_step: number | null;
  to_step: number | null;
  /** JSON: a point on a sweep axis, { path, value } */
  coordinate: string | null;
  /** JSON: name -> number or number[] */
  evidence: string;
  explanation: string;
  /** unique: the same finding detected twice is stored once */
  dedupe_key: string;
  created_at: number;
}

/** The runs of a finding (one row each), indexed by run. */
export interface FindingRunsTable {
  finding_id: string;
  run_id: string;
}

export interface AnnotationsTable {
  id: string;
  finding_id: string;
  verdict: "confirm" | "reject";
  note: string | null;
  /** JSON array of strings */
  tags: string;
  created_at: number;
}

export interface PredictionsTable {
  id: string;
  run_id: string | null;
  config_id: string | null;
  worldmodel_id: string;
  /** JSON */
  predicted: string;
  /** JSON: what was observed, stored with the prediction it checks */
  outcome: string | null;
  created_at: number;
}

export interface DesignsTable {
  id: string;
  /** JSON */
  config: string;
  /** JSON array of design ids */
  parent_ids: string;
  /** JSON: the operator that produced the design */
  operator: string | null;
  fitness: number | null;
  created_at: number;
}

export interface WorldmodelVersionsTable {
  id: string;
  created_at: number;
  params: Blob;
  /** JSON: what the model is (features, training set, ...) */
  meta: string;
  /** JSON */
  evaluation: string | null;
}

export interface DB {
  runs: RunsTable;
  curves: CurvesTable;
  checkpoints: CheckpointsTable;
  sweeps: SweepsTable;
  findings: FindingsTable;
  finding_runs: FindingRunsTable;
  annotations: AnnotationsTable;
  predictions: PredictionsTable;
  designs: DesignsTable;
  worldmodel_versions: WorldmodelVersionsTable;
}
