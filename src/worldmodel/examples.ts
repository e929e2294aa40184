// Stored runs -> world-model examples: each finished run's curves resampled at
// CURVE_FRACTIONS of its steps (interpolated in log(1 + step), losses as log10,
// NaN after divergence or where a metric is undefined), and its events (divergence
// from the status, phenomena from running the per-run detectors on the curves).
// exampleFromCurves does the same for curves from anywhere (tests, imports).

import type { Lineage, RunCurves, RunRecord, RunStatus, Store } from "../store/store.js";
import { detectAll, runView } from "../phenomena/index.js";
import { experimentId } from "../universe/config/canonical.js";
import { CURVE_FRACTIONS, CURVE_METRICS, CURVE_POINTS, noEvents, unobservedCurve, type CurveMetric, type EventKind, type Example, type Query } from "./types.js";
import { paramCountOf } from "./param-count.js";

/**
 * Losses below this count as this. The engine trains in float32: a cross-entropy
 * whose margin exceeds ~16 rounds to exactly 0 (1 + e^-m is 1 in float32), so a
 * mean loss under ~1e-6 measures how many examples rounded, not the dynamics;
 * without the floor a solved run's 1e-12 vs 1e-8 dominated every squared error.
 */
export const LOSS_FLOOR = 1e-6;

export const isLossMetric = (m: string): boolean => m.endsWith("_loss");

/** The step of curve point k in a run of `steps` steps. */
export function pointStep(k: number, steps: number): number {
  return Math.round(CURVE_FRACTIONS[k]! * steps);
}

/**
 * Values of one recorded curve at the CURVE_FRACTIONS points of a run of `steps`
 * steps: linear interpolation in log(1 + step) between the neighbouring recorded
 * points; NaN beyond the last recorded step (a diverged run stopped recording),
 * before the first one, or where a neighbour is not finite. `log10` for losses.
 */
export function resampleCurve(stepsAt: ArrayLike<number>, values: ArrayLike<number>, steps: number, log10 = false): Float64Array {
  const out = new Float64Array(CURVE_POINTS).fill(NaN);
  const n = Math.min(stepsAt.length, values.length);
  if (n === 0) return out;
  const tr = (v: number) => (log10 ? Math.log10(Math.max(v, LOSS_FLOOR)) : v);
  let j = 0;
  for (let k = 0; k < CURVE_POINTS; k++) {
    const s = pointStep(k, steps);
    while (j + 1 < n && stepsAt[j + 1]! <= s) j++;
    const s0 = stepsAt[j]!;
    if (s < s0) continue;
    const v0 = values[j]!;
    if (s === s0 || j + 1 >= n) {
      if (s === s0 && Number.isFinite(v0)) out[k] = tr(v0);
      continue;
    }
    const s1 = stepsAt[j + 1]!, v1 = values[j + 1]!;
    if (!Number.isFinite(v0) || !Number.isFinite(v1)) continue;
    const x0 = Math.log1p(s0), x1 = Math.log1p(s1), x = Math.log1p(s);
    const t = x1 > x0 ? (x - x0) / (x1 - x0) : 0;
    out[k] = tr(v0) + t * (tr(v1) - tr(v0));
  }
  return out;
}

export interface CurvesSource {
  runId?: string;
  configId?: string;
  /** the validated experiment config */
  config: unknown;
  status: Extract<RunStatus, "completed" | "diverged">;
  divergedAt?: number | null;
  curves: RunCurves;
  paramCount?: number | null;
  lineage?: Pick<Lineage, "parentRunId" | "forkStep"> | null;
  sweepId?: string | null;
}

/** The task family of a config, as examples record it ("other" when it names none). */
export function familyOf(config: unknown): string {
  const family = (config as { task?: { family?: unknown } } | null)?.task?.family;
  return typeof family === "string" ? family : "other";
}

function configParts(config: unknown): { family: string; steps: number } {
  const c = (config ?? {}) as { train?: { steps?: unknown } };
  return { family: familyOf(config), steps: typeof c.train?.steps === "number" ? c.train.steps : 1000 };
}

/** An example from a run's config, status and recorded curves. */
export function exampleFromCurves(src: CurvesSource): Example {
  const { family, steps } = configParts(src.config);
  const curves = {} as Record<CurveMetric, Float64Array>;
  for (const m of CURVE_METRICS) {
    const c = src.curves[m];
    curves[m] = c ? resampleCurve(c.steps, c.values, steps, isLossMetric(m)) : unobservedCurve();
  }
  const events = noEvents();
  if (src.status === "diverged") events.diverged = 1;
  const view = runView({ id: src.runId ?? "", status: src.status, divergedAt: src.divergedAt ?? null, config: src.config }, src.curves);
  for (const f of detectAll(view)) {
    if (f.kind in events) events[f.kind as EventKind] = 1;
  }
  let configId = src.configId ?? "";
  if (!configId) {
    try {
      configId = experimentId(src.config as never);
    } catch {
      configId = "";
    }
  }
  return {
    runId: src.runId ?? configId,
    configId,
    family,
    config: src.config,
    steps,
    paramCount: src.paramCount ?? paramCountOf(src.config) ?? 0,
    curves,
    events,
    fork: src.lineage ? { parentRunId: src.lineage.parentRunId, forkStep: src.lineage.forkStep } : null,
    sweepId: src.sweepId ?? null,
  };
}

export function exampleFromRun(run: RunRecord, curves: RunCurves): Example {
  return exampleFromCurves({
    runId: run.id,
    configId: run.configId,
    config: run.config,
    status: run.status === "diverged" ? "diverged" : "completed",
    divergedAt: run.divergedAt,
    curves,
    paramCount: run.paramCount,
    lineage: run.lineage,
    sweepId: run.sweepId,
  });
}

export interface LoadExamplesOptions {
  family?: string;
  /** at most this many runs (newest first) */
  limit?: number;
  /** runs per store round trip */
  batchSize?: number;
  onProgress?: (loaded: number) => void;
}

/** Every finished (completed or diverged) run of the store as an example, newest first. */
export async function loadExamples(store: Store, opts: LoadExamplesOptions = {}): Promise<Example[]> {
  const batch = opts.batchSize ?? 500;
  const out: Example[] = [];
  const seen = new Set<string>();
  for (let offset = 0; ; offset += batch) {
    const want = opts.limit === undefined ? batch : Math.min(batch, opts.limit - out.length);
    if (want <= 0) break;
    const runs = await store.listRuns({ status: ["completed", "diverged"], family: opts.family, limit: want, offset });
    const fresh = runs.filter((r) => !seen.has(r.id));
    const curves = await store.getCurves(fresh.map((r) => r.id));
    for (const r of fresh) {
      seen.add(r.id);
      const c = curves.get(r.id);
      if (c) out.push(exampleFromRun(r, c));
    }
    opts.onProgress?.(out.length);
    if (runs.length < want) break;
  }
  return out;
}

/**
 * What is observed of a fork before it starts: the parent's curves up to the fork
 * step, re-gridded onto the child's CURVE_FRACTIONS points (interpolated in
 * log(1 + step) between the parent's points), as a Query's `observed`.
 */
export function forkObserved(parent: Pick<Example, "curves" | "steps">, forkStep: number, childSteps: number): NonNullable<Query["observed"]> {
  const parentSteps = Array.from({ length: CURVE_POINTS }, (_, k) => pointStep(k, parent.steps));
  const curves = {} as Record<CurveMetric, Float64Array>;
  for (const m of CURVE_METRICS) {
    const out = new Float64Array(CURVE_POINTS).fill(NaN);
    const grid = resampleCurve(parentSteps, parent.curves[m], childSteps);
    for (let k = 0; k < CURVE_POINTS; k++) if (pointStep(k, childSteps) <= forkStep) out[k] = grid[k]!;
    curves[m] = out;
  }
  return { upToFraction: forkStep / childSteps, curves };
}
