// Sweep axes: groups of runs whose configs are identical except at one numeric
// value (a "one-at-a-time" axis such as train.lr or model.children[0].width),
// pooled by that value into points.
//
// Ignored when comparing configs: `name`, `log` (what is recorded, not what is
// trained) and every path ending in `seed`/`Seed` (runs that differ only there
// are repeats: they are pooled at the same point; outcome.ts averages them).
// A model whose size fields (width, dim, depth, out) change together forms one
// more axis, "paramCount", ordered by the runs' parameter counts.

import type { RunView } from "../detector.js";

/** what an axis varies: the model's size, the train set's size, or another hyperparameter */
export type AxisKind = "model-size" | "data-size" | "hyperparameter";

export interface SweepPoint {
  value: number;
  /** the runs at this value (repeats differing only in seeds) */
  runs: RunView[];
}

export interface SweepView {
  /** config path of the axis, e.g. "train.lr", or "paramCount" for models scaled in several fields */
  path: string;
  axis: AxisKind;
  /** sorted by value; at least MIN_AXIS_POINTS distinct values */
  points: SweepPoint[];
}

/** an axis needs this many distinct values */
export const MIN_AXIS_POINTS = 3;
/** fields of a model tree that set its size */
export const MODEL_SIZE_KEYS: readonly string[] = ["width", "dim", "depth", "out"];
/** the path of the axis formed by models scaled in several size fields at once */
export const PARAM_COUNT_PATH = "paramCount";
const DATA_SIZE_PATHS: readonly string[] = ["task.trainSize", "task.trainFraction"];

export function axisKind(path: string): AxisKind {
  if (path === PARAM_COUNT_PATH) return "model-size";
  if (DATA_SIZE_PATHS.includes(path)) return "data-size";
  if (isModelSizePath(path)) return "model-size";
  return "hyperparameter";
}

function isModelSizePath(path: string): boolean {
  if (!path.startsWith("model")) return false;
  const last = path.slice(path.lastIndexOf(".") + 1);
  return MODEL_SIZE_KEYS.includes(last);
}

/** paths that do not distinguish experiments: labels, logging, seeds */
export function isIgnoredPath(path: string): boolean {
  return path === "name" || path === "log" || path.startsWith("log.") || path.startsWith("log[") ||
    path.endsWith("seed") || path.endsWith("Seed");
}

type Leaf = number | string | boolean | null;

/** A config as path -> leaf value ("model.children[2].width" -> 64), ignored paths left out. */
export function flattenConfig(config: unknown): Map<string, Leaf> {
  const out = new Map<string, Leaf>();
  const walk = (v: unknown, path: string): void => {
    if (path !== "" && isIgnoredPath(path)) return;
    if (Array.isArray(v)) {
      if (v.length === 0) out.set(path, "[]");
      v.forEach((item, i) => walk(item, `${path}[${i}]`));
    } else if (v !== null && typeof v === "object") {
      const keys = Object.keys(v).sort();
      if (keys.length === 0 && path !== "") out.set(path, "{}");
      for (const k of keys) walk((v as Record<string, unknown>)[k], path === "" ? k : `${path}.${k}`);
    } else if (typeof v === "number" || typeof v === "string" || typeof v === "boolean" || v === null) {
      out.set(path, v);
    }
  };
  walk(config, "");
  return out;
}

/** every run id on an axis, sorted */
export function viewRunIds(view: SweepView): string[] {
  return view.points.flatMap((p) => p.runs.map((r) => r.id)).sort();
}


interface FlatRun {
  run: RunView;
  leaves: Map<string, Leaf>;
  /** "path=value" entries, sorted by path */
  entries: [string, string][];
}

function flatRun(run: RunView): FlatRun | null {
  if (run.config === null || typeof run.config !== "object") return null;
  const leaves = flattenConfig(run.config);
  const entries = [...leaves].map(([p, v]): [string, string] => [p, `${p}=${JSON.stringify(v)}`]);
  entries.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return { run, leaves, entries };
}

/** the run's config as one string, the paths `skip` accepts left out */
function keyWithout(f: FlatRun, skip: (path: string) => boolean): string {
  let key = "";
  for (const [p, e] of f.entries) if (!skip(p)) key += e + "\n";
  return key;
}

function groupBy<T>(items: T[], key: (t: T) => string | null): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const it of items) {
    const k = key(it);
    if (k === null) continue;
    const g = out.get(k);
    if (g) g.push(it);
    else out.set(k, [it]);
  }
  return out;
}

/** runs pooled by value; null when fewer than MIN_AXIS_POINTS distinct values */
function toView(path: string, valued: { value: number; run: RunView }[]): SweepView | null {
  const byValue = new Map<number, RunView[]>();
  for (const { value, run } of valued) {
    const g = byValue.get(value);
    if (g) g.push(run);
    else byValue.set(value, [run]);
  }
  if (byValue.size < MIN_AXIS_POINTS) return null;
  const points = [...byValue].sort((a, b) => a[0] - b[0]).map(([value, runs]) => ({ value, runs }));
  return { path, axis: axisKind(path), points };
}

/** one axis per group of runs identical except at `path` (a finite number in each) */
function axesAt(path: string, flats: FlatRun[]): SweepView[] {
  const withValue = flats.filter((f) => {
    const v = f.leaves.get(path);
    return typeof v === "number" && Number.isFinite(v);
  });
  const out: SweepView[] = [];
  for (const group of groupBy(withValue, (f) => keyWithout(f, (p) => p === path)).values()) {
    const view = toView(path, group.map((f) => ({ value: f.leaves.get(path) as number, run: f.run })));
    if (view) out.push(view);
  }
  return out;
}

/**
 * Models scaled in several size fields at once (e.g. embedding dim and MLP width
 * together): runs identical except in size fields, at least two of which vary,
 * every varying field non-decreasing in the parameter count, which is known.
 */
function paramCountAxes(flats: FlatRun[]): SweepView[] {
  const out: SweepView[] = [];
  const sized = flats.filter((f) => typeof f.run.paramCount === "number" && Number.isFinite(f.run.paramCount) && f.run.paramCount > 0);
  for (const group of groupBy(sized, (f) => keyWithout(f, isModelSizePath)).values()) {
    const sizePaths = [...new Set(group.flatMap((f) => [...f.leaves.keys()].filter(isModelSizePath)))];
    const varying = sizePaths.filter((p) => new Set(group.map((f) => f.leaves.get(p))).size > 1);
    if (varying.length < 2) continue;
    const sorted = [...group].sort((a, b) => a.run.paramCount! - b.run.paramCount!);
    const coVary = varying.every((p) => sorted.every((f, i) => {
      const v = f.leaves.get(p);
      if (typeof v !== "number") return false;
      if (i === 0) return true;
      const prev = sorted[i - 1]!;
      const u = prev.leaves.get(p) as number;
      return prev.run.paramCount === f.run.paramCount ? u === v : u <= v;
    }));
    if (!coVary) continue;
    const view = toView(PARAM_COUNT_PATH, sorted.map((f) => ({ value: f.run.paramCount!, run: f.run })));
    if (view) out.push(view);
  }
  return out;
}

/**
 * Every one-at-a-time axis among the runs (runs without a config object are
 * skipped). A run may lie on several axes, e.g. on an lr axis and a weight
 * decay axis of a grid. Sorted by path, then by the axis's first run id.
 */
export function sweepViews(runs: RunView[]): SweepView[] {
  const flats = runs.map(flatRun).filter((f): f is FlatRun => f !== null);
  const candidates = new Map<string, Set<number>>();
  for (const f of flats) {
    for (const [p, v] of f.leaves) {
      if (typeof v !== "number" || !Number.isFinite(v)) continue;
      let s = candidates.get(p);
      if (!s) candidates.set(p, (s = new Set()));
      s.add(v);
    }
  }
  const views: SweepView[] = [];
  for (const [path, values] of candidates) if (values.size >= MIN_AXIS_POINTS) views.push(...axesAt(path, flats));
  views.push(...paramCountAxes(flats));
  const keyed = views.map((v) => ({ v, key: `${v.path}\n${viewRunIds(v)[0] ?? ""}` }));
  keyed.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return keyed.map((k) => k.v);
}
