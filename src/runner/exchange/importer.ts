// Storing the runs of an imported file, a batch of runs at a time, once each run's
// rows are complete (see import.ts).
//
// Duplicates: a run in the file is skipped when a run that was in the store before
// the import has the same config_id, status and curves (every metric, step and
// value; NaN equals NaN); each stored run stands for at most one run of the file.
// So importing a file twice, or into the store it came from, adds nothing.
//
// Ids: the store gives imported runs new ids. A parent_run_id naming a run of the
// same file becomes that run's new id (parents are stored before their forks); any
// other parent id is kept as it is.

import { createHash } from "node:crypto";
import { canonicalJson } from "../../universe/config/canonical.js";
import type { Lineage, NewRun, RunCurves, RunRecord, RunResult, Store } from "../../store/store.js";
import type { ImportSummary } from "./import.js";
import { own, type Point, type RunMeta } from "./rows.js";

/** Pass 1's findings about one run of the file. */
export interface RunInfo {
  /** its run_id */
  key: string;
  meta: RunMeta;
  /** the index of its last row */
  lastRow: number;
}

/** The config_id of a run whose file has none: the first 16 hex digits of the sha256 of its canonical config JSON (keys sorted). */
export function configIdOf(config: unknown): string {
  return createHash("sha256").update(canonicalJson(config)).digest("hex").slice(0, 16);
}

interface Pending {
  from: string;
  meta: RunMeta;
  curves: RunCurves;
}

type Builder = Map<string, { steps: number[]; values: number[] }>;

function toCurves(b: Builder): RunCurves {
  const out: RunCurves = {};
  for (const [metric, { steps, values }] of b) {
    let order: number[] | null = null;
    for (let i = 1; i < steps.length; i++) {
      if (steps[i]! < steps[i - 1]!) {
        order = steps.map((_, k) => k).sort((a, c) => steps[a]! - steps[c]! || a - c);
        break;
      }
    }
    out[metric] = order
      ? { steps: Int32Array.from(order, (k) => steps[k]!), values: Float64Array.from(order, (k) => values[k]!) }
      : { steps: Int32Array.from(steps), values: Float64Array.from(values) };
  }
  return out;
}

function sameCurves(a: RunCurves, b: RunCurves): boolean {
  const keys = Object.keys(a);
  if (keys.length !== Object.keys(b).length) return false;
  for (const m of keys) {
    const x = a[m]!, y = b[m];
    if (!y || x.steps.length !== y.steps.length) return false;
    for (let i = 0; i < x.steps.length; i++) {
      if (x.steps[i] !== y.steps[i]) return false;
      const u = x.values[i]!, v = y.values[i]!;
      if (u !== v && !(Number.isNaN(u) && Number.isNaN(v))) return false;
    }
  }
  return true;
}

export class Importer {
  private readonly open = new Map<string, Builder>();
  private ready: Pending[] = [];
  /** runs waiting for their parent (a run of the file) to be stored */
  private readonly waiting = new Map<string, Pending[]>();
  /** the file's run_id -> the id in the store */
  private readonly resolved = new Map<string, string>();
  /** stored runs that stand for a run of the file, and runs this import stored: neither can be a duplicate again */
  private readonly taken = new Set<string>();
  readonly summary: Pick<ImportSummary, "imported" | "duplicates" | "unfinished"> = { imported: [], duplicates: [], unfinished: [] };

  constructor(private readonly store: Store, private readonly runs: Map<string, RunInfo>, private readonly batchRuns: number) {}

  /** Adds a row; true when a batch of runs is ready to be stored (call flush). */
  add(p: Point, index: number): boolean {
    const info = this.runs.get(p.runId)!;
    let b = this.open.get(info.key);
    if (!b) this.open.set(info.key, (b = new Map()));
    let c = b.get(p.metric);
    if (!c) b.set(p.metric.length > 12 ? own(p.metric) : p.metric, (c = { steps: [], values: [] }));
    c.steps.push(p.step);
    c.values.push(p.value);
    if (info.lastRow !== index) return false;
    this.open.delete(info.key);
    this.schedule({ from: info.key, meta: info.meta, curves: toCurves(b) });
    return this.ready.length >= this.batchRuns;
  }

  private schedule(p: Pending): void {
    const parent = p.meta.parentRunId;
    if (parent !== null && parent !== p.from && this.runs.has(parent) && !this.resolved.has(parent)) {
      const list = this.waiting.get(parent);
      if (list) list.push(p);
      else this.waiting.set(parent, [p]);
    } else {
      this.ready.push(p);
    }
  }

  private resolve(from: string, id: string): void {
    this.resolved.set(from, id);
    const children = this.waiting.get(from);
    if (children) {
      this.waiting.delete(from);
      this.ready.push(...children);
    }
  }

  async flush(): Promise<void> {
    while (this.ready.length > 0) {
      const batch = this.ready.splice(0, this.batchRuns);
      const finished = batch.filter((p) => {
        if (p.meta.status === "completed" || p.meta.status === "diverged") return true;
        this.summary.unfinished.push({ from: p.from, status: p.meta.status });
        this.resolve(p.from, p.from); // its forks keep the parent id as it is
        return false;
      });
      const configs = finished.map((p) => ({ p, config: JSON.parse(p.meta.config) as unknown }));
      const ids = configs.map(({ p, config }) => p.meta.configId ?? configIdOf(config));
      // candidates for duplicates: stored runs with the same config id
      const byConfig = new Map<string, RunRecord[]>();
      for (const id of new Set(ids)) {
        const stored = await this.store.listRuns({ configId: id, status: ["completed", "diverged"] });
        byConfig.set(id, stored.filter((r) => !this.taken.has(r.id)));
      }
      const candidates = [...byConfig.values()].flat();
      const curves = candidates.length > 0 ? await this.store.getCurves(candidates.map((r) => r.id)) : new Map<string, RunCurves>();
      for (let k = 0; k < configs.length; k++) {
        const { p, config } = configs[k]!;
        const configId = ids[k]!;
        const twin = byConfig.get(configId)!.find((r) => !this.taken.has(r.id) && r.status === p.meta.status && sameCurves(p.curves, curves.get(r.id) ?? {}));
        if (twin) {
          this.taken.add(twin.id);
          this.summary.duplicates.push({ from: p.from, id: twin.id });
          this.resolve(p.from, twin.id);
          continue;
        }
        const id = await this.store.insertFinished(newRunOf(p, config, configId, this.resolved), resultOf(p));
        this.taken.add(id);
        this.summary.imported.push({ from: p.from, id });
        this.resolve(p.from, id);
      }
    }
  }

  async finish(): Promise<void> {
    await this.flush();
    // runs whose parents never resolved (a cycle of parent ids): stored with the ids as given
    for (const list of this.waiting.values()) this.ready.push(...list);
    this.waiting.clear();
    await this.flush();
  }
}

function newRunOf(p: Pending, config: unknown, configId: string, resolved: Map<string, string>): NewRun {
  const m = p.meta;
  const lineage: Lineage | null = m.parentRunId === null ? null : {
    parentRunId: resolved.get(m.parentRunId) ?? m.parentRunId,
    forkStep: m.forkStep ?? 0,
    interventions: m.interventions === null ? [] : (JSON.parse(m.interventions) as Lineage["interventions"]),
  };
  return { configId, config, family: m.family, name: m.name, sweepId: m.sweepId, lineage };
}

function resultOf(p: Pending): RunResult {
  const m = p.meta;
  let wall = m.wallSeconds;
  if (wall === null) {
    // no wall_seconds column: the last wall_time point, if any
    const w = p.curves.wall_time?.values;
    for (let i = (w?.length ?? 0) - 1; wall === null && i >= 0; i--) if (Number.isFinite(w![i]!)) wall = w![i]!;
  }
  return {
    status: m.status as "completed" | "diverged",
    divergedAt: m.divergedAt,
    wallSeconds: wall ?? 0,
    paramCount: m.paramCount,
    curves: p.curves,
  };
}
