// `toyworld detect`, `phenomena`, `phenomena stats` and `annotate`: the person in
// the loop. detect runs the detectors over stored runs and sweeps; phenomena lists
// stored findings, most interesting first (phenomena/interest.ts); annotate records
// a person's verdict on one; stats says how often people agreed with each detector.
// detectAfterRuns is what run, sweep, fork and worker call when runs finish.

import {
  detectFinished, detectRuns, detectStore, detectSweep, isPhenomenonKind, PHENOMENON_KINDS, summaryLine,
  type Detection, type PhenomenonKind,
} from "../phenomena/pipeline.js";
import { rankStored, type RankedFinding } from "../phenomena/interest.js";
import { storeStats } from "../phenomena/stats.js";
import { defaultStoreUrl, openStore, type FindingRecord, type Store } from "../store/index.js";
import { UsageError } from "./errors.js";

async function withStore<T>(db: string | undefined, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(defaultStoreUrl(db));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

const out = (line: string) => process.stdout.write(`${line}\n`);
const count = (n: number, what: string) => `${n} ${what}${n === 1 ? "" : "s"}`;

/** --kind values (repeatable, comma-separated), checked against the detector tables. */
export function parseKinds(values: string[] | undefined): PhenomenonKind[] | undefined {
  if (values === undefined || values.length === 0) return undefined;
  const kinds = values.flatMap((v) => v.split(",")).map((k) => k.trim()).filter((k) => k !== "");
  for (const k of kinds) {
    if (!isPhenomenonKind(k)) throw new UsageError(`unknown kind '${k}' (kinds: ${PHENOMENON_KINDS.join(", ")})`);
  }
  return kinds as PhenomenonKind[];
}

function parseLimit(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--limit must be a non-negative integer, got '${value}'`);
  return n;
}

function byKind(findings: readonly { kind: string }[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const f of findings) counts[f.kind] = (counts[f.kind] ?? 0) + 1;
  return counts;
}

function detectionJson(d: Detection): unknown {
  return {
    runs: d.runs, sweeps: d.sweeps, findings: d.findings.length, inserted: d.inserted, byKind: byKind(d.findings),
    found: d.findings.map((f) => ({ id: f.id, kind: f.kind, score: f.score, runIds: f.runIds, explanation: f.explanation })),
  };
}

export interface DetectFlags {
  db?: string;
  all?: boolean;
  run?: string[];
  sweep?: string;
  kind?: string[];
  json?: boolean;
}

export async function detectCommand(flags: DetectFlags): Promise<void> {
  const kinds = parseKinds(flags.kind);
  const runs = flags.run ?? [];
  if (flags.all && (runs.length > 0 || flags.sweep !== undefined)) throw new UsageError("--all covers every run and sweep: give it alone");
  if (!flags.all && runs.length === 0 && flags.sweep === undefined) throw new UsageError("say what to look at: --all, --run RUN (repeatable) or --sweep ID");
  await withStore(flags.db, async (store) => {
    let d: Detection;
    if (flags.all) {
      d = await detectStore(store, { kinds, onBatch: (n) => flags.json || process.stderr.write(`\r${n} runs`) });
      if (!flags.json && d.runs > 0) process.stderr.write("\n");
    } else {
      for (const id of runs) if (!(await store.getRun(id))) throw new UsageError(`no run '${id}' in ${defaultStoreUrl(flags.db)}`);
      if (flags.sweep !== undefined && !(await store.getSweep(flags.sweep))) throw new UsageError(`no sweep '${flags.sweep}' in ${defaultStoreUrl(flags.db)}`);
      d = await detectRuns(store, runs, { kinds });
      if (flags.sweep !== undefined) {
        const s = await detectSweep(store, flags.sweep, { kinds });
        d = { runs: d.runs, sweeps: s.sweeps, findings: [...d.findings, ...s.findings], inserted: d.inserted + s.inserted };
      }
    }
    if (flags.json) return out(JSON.stringify(detectionJson(d)));
    out(`looked at ${count(d.runs, "run")} and ${count(d.sweeps, "sweep")}: ${count(d.findings.length, "finding")}, ${d.inserted} new`);
    if (d.findings.length > 0) out(summaryLine(d.findings));
  });
}

/**
 * After runs finished: detect on them (and on their sweeps that are now complete)
 * and print the one-line summary on stderr (`skipEmpty`: only when something was
 * found). Detection failing never fails the runs: it is reported and left there.
 */
export async function detectAfterRuns(
  store: Store, runIds: readonly string[], opts: { quiet: boolean; skipEmpty?: boolean },
): Promise<void> {
  if (runIds.length === 0) return;
  try {
    const d = await detectFinished(store, runIds);
    if (opts.quiet || (opts.skipEmpty && d.findings.length === 0)) return;
    process.stderr.write(`${summaryLine(d.findings)}${d.sweeps > 0 ? ` (with ${count(d.sweeps, "complete sweep")})` : ""}\n`);
  } catch (e) {
    process.stderr.write(`toyworld: phenomena detection failed: ${e instanceof Error ? e.message : String(e)}\n`);
  }
}

/**
 * Detection while a worker keeps running: runs reported by add() are detected in
 * batches, one batch at a time (those finished during a detection form the next).
 */
export class DetectionQueue {
  private pending: string[] = [];
  private running: Promise<void> = Promise.resolve();
  private busy = false;

  constructor(private readonly store: Store, private readonly opts: { quiet: boolean; skipEmpty?: boolean }) {}

  add(runId: string): void {
    this.pending.push(runId);
    if (!this.busy) this.running = this.loop();
  }

  private async loop(): Promise<void> {
    this.busy = true;
    try {
      while (this.pending.length > 0) {
        const batch = this.pending;
        this.pending = [];
        await detectAfterRuns(this.store, batch, this.opts);
      }
    } finally {
      this.busy = false;
    }
  }

  /** Resolves when every run added so far has been through detection. */
  async drain(): Promise<void> {
    await this.running;
  }
}

export interface ListFlags {
  db?: string;
  kind?: string[];
  run?: string;
  sweep?: string;
  limit?: string;
  /** at most this many findings of each kind */
  perKind?: string;
  allVersions?: boolean;
  json?: boolean;
}

function where(f: FindingRecord): string {
  if (f.coordinate) return `${f.coordinate.path}=${f.coordinate.value}`;
  if (f.interval) return `steps ${f.interval.fromStep}-${f.interval.toStep}`;
  return "-";
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

export async function phenomenaCommand(flags: ListFlags): Promise<void> {
  const kinds = parseKinds(flags.kind);
  const limit = parseLimit(flags.limit, 30);
  const perKind = flags.perKind === undefined ? undefined : Number(flags.perKind);
  if (perKind !== undefined && (!Number.isInteger(perKind) || perKind < 1)) throw new UsageError(`--per-kind must be a positive integer, got '${flags.perKind}'`);
  await withStore(flags.db, async (store) => {
    const ranked = await rankStored(store, {
      ...(kinds ? { kind: kinds } : {}),
      ...(flags.run !== undefined ? { runId: flags.run } : {}),
      ...(flags.sweep !== undefined ? { sweepId: flags.sweep } : {}),
      ...(flags.allVersions ? {} : { latestVersions: true }),
      ...(limit > 0 ? { limit } : {}),
    }, perKind === undefined ? {} : { maxPerKind: perKind });
    if (flags.json) {
      for (const r of ranked) out(JSON.stringify({ ...r.finding, interest: r.interest, rarity: r.rarity, surprise: r.surprise, verdicts: r.verdicts }));
      return;
    }
    if (ranked.length === 0) return out("no findings (run `toyworld detect --all` to look at stored runs)");
    out(table(ranked));
  });
}

function table(ranked: RankedFinding[]): string {
  const rows = ranked.map(({ finding: f, interest, verdicts }) => [
    f.id.slice(0, 10),
    f.kind,
    f.score.toFixed(2),
    interest.toFixed(2),
    f.runIds.length === 1 ? f.runIds[0]!.slice(0, 10) : `${f.runIds.length} runs`,
    where(f),
    verdicts.confirm + verdicts.reject === 0 ? "-" : `+${verdicts.confirm}/-${verdicts.reject}`,
    clip(f.explanation, 90),
  ]);
  const header = ["id", "kind", "score", "interest", "runs", "where", "verdicts", "explanation"];
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: string[]) => cells.map((v, c) => (c === cells.length - 1 ? v : v.padEnd(widths[c]!))).join("  ");
  return [line(header), ...rows.map(line)].join("\n");
}

export interface AnnotateFlags {
  db?: string;
  confirm?: boolean;
  reject?: boolean;
  note?: string;
  tag?: string[];
  json?: boolean;
}

export async function annotateCommand(finding: string, flags: AnnotateFlags): Promise<void> {
  if (Boolean(flags.confirm) === Boolean(flags.reject)) throw new UsageError("give exactly one of --confirm and --reject");
  if (!/^[0-9a-z]+$/i.test(finding)) throw new UsageError(`'${finding}' is not a finding id (or a prefix of one)`);
  await withStore(flags.db, async (store) => {
    const matches = await store.listFindings({ idPrefix: finding, limit: 2 });
    if (matches.length === 0) throw new UsageError(`no finding '${finding}' in ${defaultStoreUrl(flags.db)}`);
    if (matches.length > 1) throw new UsageError(`'${finding}' names more than one finding: give more of its id`);
    const f = matches[0]!;
    const verdict = flags.confirm ? "confirm" : "reject";
    const id = await store.addAnnotation({ findingId: f.id, verdict, note: flags.note ?? null, tags: flags.tag ?? [] });
    if (flags.json) return out(JSON.stringify({ id, findingId: f.id, verdict, note: flags.note ?? null, tags: flags.tag ?? [] }));
    out(`${verdict === "confirm" ? "confirmed" : "rejected"} ${f.id}: ${f.kind} (${f.score.toFixed(2)}) ${clip(f.explanation, 100)}`);
  });
}

export async function statsCommand(flags: { db?: string; json?: boolean }): Promise<void> {
  await withStore(flags.db, async (store) => {
    const stats = await storeStats(store);
    if (flags.json) {
      for (const s of stats) out(JSON.stringify(s));
      return;
    }
    if (stats.length === 0) return out("no findings");
    const pct = (p: number | null, n: number) => (p === null ? "-" : `${(100 * p).toFixed(0)}% (n=${n})`);
    out(`${"detector".padEnd(26)} ${"findings".padStart(8)} ${"annotated".padStart(9)} ${"confirmed".padStart(9)} ${"rejected".padStart(8)}  precision`);
    for (const s of stats) {
      out(`${`${s.detector} v${s.version}`.padEnd(26)} ${String(s.findings).padStart(8)} ${String(s.annotated).padStart(9)} ` +
        `${String(s.confirmed).padStart(9)} ${String(s.rejected).padStart(8)}  ${pct(s.precision, s.annotated)}`);
      if (s.byDay.length > 1) for (const d of s.byDay) out(`  ${d.day}${" ".repeat(44)}${pct(d.precision, d.annotated)}`);
    }
  });
}
