// `toyworld plot`: curves of runs as a real figure, SVG or PNG. A Vega-Lite spec
// (one panel per kind of metric: losses on a log scale, accuracies on [0, 1], any
// other metric on its own panel; steps on a log scale; colour = run, dash = metric)
// is compiled to Vega and rendered headless to SVG; PNG goes through resvg.
// vega, vega-lite and resvg are loaded only when a plot is made.

import { writeFileSync } from "node:fs";
import { extname } from "node:path";
import type { RunCurves, RunRecord } from "../store/index.js";
import { UsageError } from "./errors.js";
import { getRuns, withExistingStore, type Out, type StoreFlags } from "./query.js";

export const DEFAULT_PLOT_METRICS = ["train_loss", "test_loss", "train_acc", "test_acc"];

/** The panel a metric is drawn in. */
export function metricKind(metric: string): string {
  if (metric === "loss" || metric.endsWith("_loss")) return "loss";
  if (metric === "acc" || metric.endsWith("_acc") || metric.endsWith("accuracy")) return "accuracy";
  return metric;
}

interface Point {
  run: string;
  metric: string;
  kind: string;
  step: number;
  value: number;
}

/** A run's legend label: its id, and its name when it has one. */
const runLabel = (r: RunRecord) => (r.name ? `${r.id} ${r.name.length > 28 ? `${r.name.slice(0, 27)}…` : r.name}` : r.id);

/** Over three decades or more, log axes get a tick at each power of ten only (the default crowds them). */
function decades(points: Point[]): { values?: number[] } {
  let lo = Infinity, hi = -Infinity;
  for (const p of points) {
    lo = Math.min(lo, p.value);
    hi = Math.max(hi, p.value);
  }
  const a = Math.floor(Math.log10(lo)), b = Math.ceil(Math.log10(hi));
  if (!(b - a >= 3)) return {};
  const step = Math.ceil((b - a) / 12);
  const values: number[] = [];
  for (let e = a; e <= b; e += step) values.push(Number(`1e${e}`));
  return { values };
}

/**
 * The Vega-Lite spec of the curves of `runs` (their `metrics`), or null when there is
 * no point to draw. Steps below 1 have no place on a log axis and are left out, as
 * are non-finite values and, on log panels, values that are not positive.
 */
export function plotSpec(runs: RunRecord[], curves: Map<string, RunCurves>, metrics: string[]): Record<string, unknown> | null {
  const kinds = [...new Set(metrics.map(metricKind))];
  const byKind = new Map<string, Point[]>(kinds.map((k) => [k, []]));
  for (const r of runs) {
    const c = curves.get(r.id) ?? {};
    for (const metric of metrics) {
      const curve = c[metric];
      if (!curve) continue;
      const kind = metricKind(metric), points = byKind.get(kind)!;
      for (let i = 0; i < curve.steps.length; i++) {
        const step = curve.steps[i]!, value = curve.values[i]!;
        if (step >= 1 && Number.isFinite(value)) points.push({ run: runLabel(r), metric, kind, step, value });
      }
    }
  }
  const panels = kinds.flatMap((kind) => {
    let points = byKind.get(kind)!;
    const accuracy = kind === "accuracy";
    const log = !accuracy && (kind === "loss" || points.every((p) => p.value > 0));
    if (log) points = points.filter((p) => p.value > 0);
    if (points.length === 0) return [];
    const inUnit = points.every((p) => p.value >= 0 && p.value <= 1);
    const yScale = log ? { type: "log" } : accuracy && inUnit ? { domain: [0, 1] } : { zero: false };
    return [{
      data: { values: points },
      mark: { type: "line", strokeWidth: 1.6, clip: true },
      encoding: {
        x: { field: "step", type: "quantitative", scale: { type: "log", nice: false }, axis: { title: "step (log scale)", format: "~s", grid: true } },
        y: {
          field: "value", type: "quantitative", scale: yScale,
          axis: log
            ? { title: `${kind} (log scale)`, ...decades(points), labelExpr: "datum.value >= 0.001 && datum.value < 10000 ? format(datum.value, '~g') : format(datum.value, '.0e')" }
            : { title: kind, format: "~r" },
        },
        color: { field: "run", type: "nominal", title: "run", scale: { scheme: runs.length > 10 ? "tableau20" : "tableau10" } },
        // in the order asked for: the first metric of a panel solid, the next dashed...
        strokeDash: { field: "metric", type: "nominal", title: kind === "loss" || accuracy ? `${kind} metric` : "metric", scale: { domain: metrics.filter((m) => metricKind(m) === kind) } },
        detail: { field: "metric" },
        order: { field: "step", type: "quantitative" },
        tooltip: [{ field: "run" }, { field: "metric" }, { field: "step" }, { field: "value" }],
      },
      width: 600,
      height: 260,
    }];
  });
  if (panels.length === 0) return null;
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title: runs.length === 1 ? `run ${runLabel(runs[0]!)}` : `${runs.length} runs`,
    background: "white",
    padding: 12,
    vconcat: panels,
    resolve: { scale: { strokeDash: "independent", y: "independent" }, legend: { strokeDash: "independent" } },
    config: { font: "DejaVu Sans, Helvetica, Arial, sans-serif", axis: { labelFontSize: 11, titleFontSize: 12 }, legend: { labelLimit: 320 } },
  };
}

/** Renders a Vega-Lite spec to SVG text. */
export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const [vega, vl] = await Promise.all([import("vega"), import("vega-lite")]);
  const compiled = vl.compile(spec as unknown as Parameters<typeof vl.compile>[0]).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: "none" });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** SVG text to PNG bytes (at `scale` times the SVG's size). */
export async function svgToPng(svg: string, scale = 2): Promise<Uint8Array> {
  const { Resvg } = await import("@resvg/resvg-js");
  const resvg = new Resvg(svg, {
    fitTo: { mode: "zoom", value: scale },
    background: "white",
    font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans", sansSerifFamily: "DejaVu Sans" },
  });
  return resvg.render().asPng();
}

export async function plotCommand(ids: string[], flags: StoreFlags & { out?: string; metrics?: string }, stdout: Out = process.stdout): Promise<void> {
  const out = flags.out;
  if (!out) throw new UsageError("plot needs --out FILE.png or FILE.svg");
  const ext = extname(out).toLowerCase();
  if (ext !== ".png" && ext !== ".svg") throw new UsageError(`--out must end in .png or .svg, got '${out}'`);
  const metrics = flags.metrics === undefined ? DEFAULT_PLOT_METRICS : [...new Set(flags.metrics.split(",").map((m) => m.trim()).filter((m) => m))];
  if (metrics.length === 0) throw new UsageError("--metrics needs at least one metric name, e.g. train_loss,test_acc");
  if (ids.length === 0) throw new UsageError("plot needs at least one run id");
  const spec = await withExistingStore(flags, async (store, url) => {
    const runs = await getRuns(store, url, [...new Set(ids)]);
    const curves = await store.getCurves(runs.map((r) => r.id), metrics);
    const spec = plotSpec(runs, curves, metrics);
    if (!spec) {
      const stored = await store.getCurves(runs.map((r) => r.id));
      const have = [...new Set([...stored.values()].flatMap((c) => Object.keys(c)))].sort();
      throw new UsageError(`nothing to plot: these runs have no points of ${metrics.join(", ")}${have.length ? ` (they have ${have.join(", ")})` : " (they have no curves)"}`);
    }
    return spec;
  });
  const svg = await renderSvg(spec);
  const bytes = ext === ".svg" ? Buffer.from(svg) : await svgToPng(svg);
  try {
    writeFileSync(out, bytes);
  } catch (e) {
    throw new UsageError(`cannot write ${out}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (flags.json) stdout.write(`${JSON.stringify({ out, bytes: bytes.byteLength, runs: ids.length, metrics })}\n`);
  else stdout.write(`wrote ${out}\n`);
}
