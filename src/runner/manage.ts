// Acting on runs a person names: which runs they mean (run ids or unique prefixes,
// the runs of a sweep, the runs with some statuses), cancelling them, requeueing
// them, removing them.
// Bad input is a SelectionError that names what was expected and what was found; the
// command line turns it into a usage error.
//
// Cancel: queued runs become `cancelled` and are never claimed. A running run
// becomes `cancelled` at once too: its worker no longer holds it, so the store
// refuses its result (finish is a compare-and-set on the holder), and the worker
// learns it at its next heartbeat (a third of its lease) and drops the result
// without trying. Runs that already ended are left as they are and reported as
// skipped.
//
// Requeue: cancelled and failed runs go back in the queue (a failure after a fix,
// a cancel taken back); the next worker trains them like new runs. Others are
// reported as skipped.
//
// Remove: the runs named and the runs of a sweep, narrowed to some statuses (or,
// with statuses alone, every run with them). The store deletes each run with
// everything stored for it, and a sweep left without runs, in one transaction; it
// refuses a running run (cancel it first) and a parent whose forks are not removed
// with it. A dry run (the default of the command) makes the same checks and reports
// the same counts.

import { DeleteRefused, type DeletedRuns, type RunRecord, type RunStatus, type Store } from "../store/store.js";

export class SelectionError extends Error {}

/** How many matches an ambiguous prefix shows. */
const SHOWN_MATCHES = 5;

/** The run with id `ref`, or the only run whose id starts with it. */
export async function resolveRun(store: Store, ref: string): Promise<RunRecord> {
  if (!/^[0-9a-z]+$/i.test(ref)) throw new SelectionError(`'${ref}' is not a run id (or a prefix of one): expected letters and digits`);
  const exact = await store.getRun(ref);
  if (exact) return exact;
  const matches = await store.listRuns({ idPrefix: ref, limit: SHOWN_MATCHES + 1 });
  if (matches.length === 0) throw new SelectionError(`no run '${ref}' (no id starts with it)`);
  if (matches.length > 1) {
    const shown = matches.slice(0, SHOWN_MATCHES).map((r) => r.id).join(", ");
    throw new SelectionError(`'${ref}' names more than one run (${shown}${matches.length > SHOWN_MATCHES ? ", ..." : ""}): give more of its id`);
  }
  return matches[0]!;
}

/** The runs of a sweep; throws if the store knows neither the sweep nor any run of it. */
export async function sweepRuns(store: Store, sweepId: string): Promise<RunRecord[]> {
  const runs = await store.listRuns({ sweepId });
  if (runs.length === 0 && !(await store.getSweep(sweepId))) throw new SelectionError(`no sweep '${sweepId}'`);
  return runs;
}

export interface RunSelection {
  /** run ids or unique prefixes */
  refs?: string[];
  sweepId?: string;
  /** also every run with one of these statuses */
  statuses?: RunStatus[];
}

/**
 * The union of the runs named by `refs`, the runs of `sweepId` and the runs with
 * one of `statuses`: each run once, oldest first (then by id).
 */
export async function selectRuns(store: Store, sel: RunSelection): Promise<RunRecord[]> {
  const byId = new Map<string, RunRecord>();
  for (const ref of sel.refs ?? []) {
    const run = await resolveRun(store, ref);
    byId.set(run.id, run);
  }
  if (sel.sweepId !== undefined) for (const run of await sweepRuns(store, sel.sweepId)) byId.set(run.id, run);
  if (sel.statuses !== undefined && sel.statuses.length > 0) {
    for (const run of await store.listRuns({ status: sel.statuses })) byId.set(run.id, run);
  }
  return [...byId.values()].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

// ---- cancel ----

export interface CancelRequest {
  /** run ids or unique prefixes */
  refs?: string[];
  /** the runs of this sweep */
  sweepId?: string;
  /** every queued run of the store */
  allQueued?: boolean;
}

export interface CancelReport {
  /** cancelled runs and the status they had when selected */
  cancelled: { id: string; was: "queued" | "running" }[];
  /** selected runs left as they are, with their status */
  skipped: { id: string; status: RunStatus }[];
}

const CANCELLABLE: readonly RunStatus[] = ["queued", "running"];

export async function cancelRuns(store: Store, req: CancelRequest): Promise<CancelReport> {
  const refs = req.refs ?? [];
  if (refs.length === 0 && req.sweepId === undefined && !req.allQueued) {
    throw new SelectionError("say which runs to cancel: run ids, --sweep ID or --all-queued");
  }
  const selected = await selectRuns(store, { refs, sweepId: req.sweepId, statuses: req.allQueued ? ["queued"] : [] });
  const candidates = selected.filter((r) => CANCELLABLE.includes(r.status));
  const done = new Set(await store.cancelRuns(candidates.map((r) => r.id)));
  const report: CancelReport = { cancelled: [], skipped: [] };
  for (const run of selected) {
    if (done.has(run.id)) {
      report.cancelled.push({ id: run.id, was: run.status as "queued" | "running" });
      continue;
    }
    // a candidate the store did not cancel ended (or was cancelled) in between: say how
    const status = CANCELLABLE.includes(run.status) ? (await store.getRun(run.id))?.status ?? run.status : run.status;
    report.skipped.push({ id: run.id, status });
  }
  return report;
}

// ---- requeue ----

export interface RequeueRequest {
  /** run ids or unique prefixes */
  refs?: string[];
  /** the runs of this sweep */
  sweepId?: string;
  /** only runs with one of these statuses (cancelled, failed); alone: every run with one of them */
  statuses?: RunStatus[];
}

export interface RequeueReport {
  /** runs back in the queue, the status they had and (failed runs) their error */
  requeued: { id: string; was: "cancelled" | "failed"; error: string | null }[];
  /** selected runs left as they are, with their status */
  skipped: { id: string; status: RunStatus }[];
}

const REQUEUEABLE: readonly RunStatus[] = ["cancelled", "failed"];

export async function requeueRuns(store: Store, req: RequeueRequest): Promise<RequeueReport> {
  const refs = req.refs ?? [];
  const statuses = req.statuses ?? [];
  if (refs.length === 0 && req.sweepId === undefined && statuses.length === 0) {
    throw new SelectionError("say which runs to requeue: run ids, --sweep ID or --status cancelled,failed");
  }
  const other = statuses.filter((s) => !REQUEUEABLE.includes(s));
  if (other.length > 0) throw new SelectionError(`--status ${other.join(",")}: only cancelled and failed runs can be requeued`);
  const named = refs.length > 0 || req.sweepId !== undefined;
  let selected = await selectRuns(store, named ? { refs, sweepId: req.sweepId } : { statuses });
  if (named && statuses.length > 0) selected = selected.filter((r) => statuses.includes(r.status));
  const candidates = selected.filter((r) => REQUEUEABLE.includes(r.status));
  const done = new Set(await store.requeueRuns(candidates.map((r) => r.id)));
  const report: RequeueReport = { requeued: [], skipped: [] };
  for (const run of selected) {
    if (done.has(run.id)) report.requeued.push({ id: run.id, was: run.status as "cancelled" | "failed", error: run.error });
    else report.skipped.push({ id: run.id, status: REQUEUEABLE.includes(run.status) ? (await store.getRun(run.id))?.status ?? run.status : run.status });
  }
  return report;
}

// ---- remove ----

export interface RemoveRequest {
  /** run ids or unique prefixes */
  refs?: string[];
  /** the runs of this sweep */
  sweepId?: string;
  /** only runs with one of these statuses; alone: every run with one of them */
  statuses?: RunStatus[];
  /** check and count, delete nothing */
  dryRun: boolean;
}

export interface RemoveReport {
  dryRun: boolean;
  /** the runs deleted (or that would be), oldest first */
  runs: Pick<RunRecord, "id" | "status" | "family" | "name" | "sweepId">[];
  deleted: DeletedRuns;
}

export async function removeRuns(store: Store, req: RemoveRequest): Promise<RemoveReport> {
  const refs = req.refs ?? [];
  const statuses = req.statuses ?? [];
  if (refs.length === 0 && req.sweepId === undefined && statuses.length === 0) {
    throw new SelectionError("say which runs to delete: run ids, --sweep ID or --status S");
  }
  const named = refs.length > 0 || req.sweepId !== undefined;
  let runs = await selectRuns(store, named ? { refs, sweepId: req.sweepId } : { statuses });
  if (named && statuses.length > 0) runs = runs.filter((r) => statuses.includes(r.status));
  let deleted: DeletedRuns;
  try {
    deleted = await store.deleteRuns(runs.map((r) => r.id), { dryRun: req.dryRun });
  } catch (e) {
    // the store's refusal is a selection mistake: it names the runs to cancel or add
    throw e instanceof DeleteRefused ? new SelectionError(`nothing deleted: ${e.reason}`) : e;
  }
  // the store reports the runs it held (one deleted by someone else meanwhile is not counted)
  const held = new Set(deleted.runIds);
  return {
    dryRun: req.dryRun,
    runs: runs.filter((r) => held.has(r.id)).map((r) => ({ id: r.id, status: r.status, family: r.family, name: r.name, sweepId: r.sweepId })),
    deleted,
  };
}
