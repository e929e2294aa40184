// From stored runs to stored findings: load runs and their curves, run the
// per-run detectors (and the sweep detectors over a sweep's finished runs), and
// put the findings in the store. putFindings ignores a dedupe key it already
// holds, so running detection again (after a crash, or over the whole store)
// adds only what is new. A detector whose version was bumped produces new keys:
// its older findings stay, because annotations refer to them; listings show the
// newest version of each detector (FindingFilter.latestVersions).
//
// The store is only used through its interface (this layer imports store types).

import type { FindingRecord, RunRecord, RunStatus, Store } from "../store/store.js";
import { DETECTOR_KINDS, type DetectorKind, type RunView } from "./detector.js";
import { detectAll } from "./detectors/index.js";
import type { Finding } from "./finding.js";
import { SWEEP_DETECTOR_KINDS, type SweepDetectorKind } from "./sweep/detector.js";
import { detectSweeps } from "./sweep/index.js";

/** Runs that have curves to look at. */
export const FINISHED_STATUSES: readonly RunStatus[] = ["completed", "diverged"];
/** Runs loaded (with all their curves) at once by detectStore. */
export const DETECT_BATCH = 500;

export type PhenomenonKind = DetectorKind | SweepDetectorKind;
export const PHENOMENON_KINDS: readonly PhenomenonKind[] = [...DETECTOR_KINDS, ...SWEEP_DETECTOR_KINDS];

export function isPhenomenonKind(kind: string): kind is PhenomenonKind {
  return (PHENOMENON_KINDS as readonly string[]).includes(kind);
}

export interface DetectOptions {
  /** only these kinds (default: every per-run and sweep detector) */
  kinds?: readonly PhenomenonKind[];
}

/** A detected finding and the id it has in the store (new or already there). */
export type StoredFinding = Finding & { id: string };

export interface Detection {
  /** runs whose curves the per-run detectors read */
  runs: number;
  /** sweeps whose finished runs the sweep detectors read */
  sweeps: number;
  /** everything detected, in detection order, with store ids */
  findings: StoredFinding[];
  /** how many of them were not stored before */
  inserted: number;
}

const empty = (): Detection => ({ runs: 0, sweeps: 0, findings: [], inserted: 0 });

function merge(into: Detection, more: Detection): Detection {
  into.runs += more.runs;
  into.sweeps += more.sweeps;
  into.inserted += more.inserted;
  for (const f of more.findings) into.findings.push(f);
  return into;
}

function runKinds(kinds: readonly PhenomenonKind[] | undefined): DetectorKind[] {
  return kinds === undefined ? [...DETECTOR_KINDS] : DETECTOR_KINDS.filter((k) => kinds.includes(k));
}

async function put(store: Store, findings: Finding[]): Promise<{ stored: StoredFinding[]; inserted: number }> {
  if (findings.length === 0) return { stored: [], inserted: 0 };
  const { ids, inserted } = await store.putFindings(findings);
  return { stored: findings.map((f, i) => ({ ...f, id: ids[i]! })), inserted };
}

async function views(store: Store, runs: RunRecord[]): Promise<RunView[]> {
  const curves = await store.getCurves(runs.map((r) => r.id));
  return runs.map((r) => ({
    id: r.id, status: r.status, divergedAt: r.divergedAt, config: r.config, paramCount: r.paramCount, curves: curves.get(r.id) ?? {},
  }));
}

/** Per-run detection over already loaded runs (finished ones only). */
async function detectLoaded(store: Store, runs: RunRecord[], options: DetectOptions): Promise<Detection> {
  const finished = runs.filter((r) => FINISHED_STATUSES.includes(r.status));
  const kinds = runKinds(options.kinds);
  if (finished.length === 0 || kinds.length === 0) return { ...empty(), runs: finished.length };
  const found = (await views(store, finished)).flatMap((v) => detectAll(v, kinds));
  const { stored, inserted } = await put(store, found);
  return { runs: finished.length, sweeps: 0, findings: stored, inserted };
}

/** The records of these runs (unknown ids left out), DETECT_BATCH at a time. */
async function* loadRuns(store: Store, runIds: readonly string[]): AsyncGenerator<RunRecord[]> {
  const unique = [...new Set(runIds)];
  for (let i = 0; i < unique.length; i += DETECT_BATCH) {
    const records = await Promise.all(unique.slice(i, i + DETECT_BATCH).map((id) => store.getRun(id)));
    yield records.filter((r): r is RunRecord => r !== null);
  }
}

/** Runs the per-run detectors on these runs (unknown and unfinished ones are skipped) and stores the findings. */
export async function detectRuns(store: Store, runIds: readonly string[], options: DetectOptions = {}): Promise<Detection> {
  const out = empty();
  for await (const runs of loadRuns(store, runIds)) merge(out, await detectLoaded(store, runs, options));
  return out;
}

/** Runs the sweep detectors on the sweep's finished runs and stores the findings. */
export async function detectSweep(store: Store, sweepId: string, options: DetectOptions = {}): Promise<Detection> {
  const wanted = options.kinds === undefined ? SWEEP_DETECTOR_KINDS : SWEEP_DETECTOR_KINDS.filter((k) => options.kinds!.includes(k));
  if (wanted.length === 0) return empty();
  const runs = await store.listRuns({ sweepId, status: [...FINISHED_STATUSES] });
  if (runs.length === 0) return empty();
  const found = detectSweeps(await views(store, runs)).filter((f) => (wanted as readonly string[]).includes(f.kind));
  const { stored, inserted } = await put(store, found);
  return { runs: 0, sweeps: 1, findings: stored, inserted };
}

/** Whether every run of the sweep has ended (none queued or running). */
export async function sweepComplete(store: Store, sweepId: string): Promise<boolean> {
  const counts = await store.countRuns({ sweepId, status: ["queued", "running"] });
  return counts.queued + counts.running === 0;
}

/**
 * What runs when runs end: the per-run detectors on the finished ones, and the
 * sweep detectors on each of their sweeps that has no queued or running run left
 * (a failed run may be the one that completes its sweep).
 */
export async function detectFinished(store: Store, runIds: readonly string[], options: DetectOptions = {}): Promise<Detection> {
  const out = empty();
  const sweepIds = new Set<string>();
  for await (const runs of loadRuns(store, runIds)) {
    for (const r of runs) if (r.sweepId) sweepIds.add(r.sweepId);
    merge(out, await detectLoaded(store, runs, options));
  }
  for (const sweepId of [...sweepIds].sort()) {
    if (await sweepComplete(store, sweepId)) merge(out, await detectSweep(store, sweepId, options));
  }
  return out;
}

/**
 * Detection over the whole store: finished runs in batches of DETECT_BATCH
 * (newest first), then every complete sweep seen among them. Findings already
 * stored are not stored again. `onBatch` reports progress (runs done so far).
 */
export async function detectStore(
  store: Store, options: DetectOptions & { onBatch?: (runsDone: number) => void } = {},
): Promise<Detection> {
  const out = empty();
  const sweepIds = new Set<string>();
  // pages of newest first: runs stored meanwhile push older ones down (seen twice, stored once), never past a page
  for (let offset = 0; ; offset += DETECT_BATCH) {
    const batch = await store.listRuns({ status: [...FINISHED_STATUSES], limit: DETECT_BATCH, offset });
    if (batch.length === 0) break;
    for (const r of batch) if (r.sweepId) sweepIds.add(r.sweepId);
    merge(out, await detectLoaded(store, batch, options));
    options.onBatch?.(out.runs);
    if (batch.length < DETECT_BATCH) break;
  }
  for (const sweepId of [...sweepIds].sort()) {
    if (await sweepComplete(store, sweepId)) merge(out, await detectSweep(store, sweepId, options));
  }
  return out;
}

/** "3 findings: grokking (0.82) run r1ab..., ..." (or "no findings"): the line printed after runs finish. */
export function summaryLine(findings: readonly Pick<FindingRecord, "kind" | "score" | "runIds">[], max = 5): string {
  if (findings.length === 0) return "no findings";
  const ranked = [...findings].sort((a, b) => b.score - a.score);
  const parts = ranked.slice(0, max).map((f) => {
    const runs = f.runIds.length === 1 ? `run ${f.runIds[0]!.slice(0, 10)}` : `${f.runIds.length} runs`;
    return `${f.kind} (${f.score.toFixed(2)}) ${runs}`;
  });
  const more = findings.length > max ? `, and ${findings.length - max} more` : "";
  return `${findings.length} finding${findings.length === 1 ? "" : "s"}: ${parts.join(", ")}${more}`;
}
