// How world-model predictions look on a terminal and in a figure: a compact table of
// predicted curves (mean and 80% interval at a few of the CURVE_FRACTIONS points),
// an asciichart of the predicted test loss, the event probabilities, and a
// Vega-Lite figure with a mean line and an 80% band per prediction.

import { CURVE_FRACTIONS, CURVE_METRICS, CURVE_POINTS, type CurveMetric, type Prediction } from "../worldmodel/types.js";
import { pointStep } from "../worldmodel/examples.js";
import { terminalChart, useColor } from "./chart.js";
import { fmt } from "./query.js";

const Z80 = 1.2815515655446004;
const isLoss = (m: CurveMetric) => m.endsWith("_loss");

/** Mean and 80% interval of a metric at point k, in natural units (losses back from log10). */
export function pointValue(p: Prediction, m: CurveMetric, k: number): { mean: number; lo: number; hi: number } {
  const c = p.curves[m];
  const [mu, half] = [c.mean[k]!, Z80 * c.std[k]!];
  if (isLoss(m)) return { mean: 10 ** mu, lo: 10 ** (mu - half), hi: 10 ** (mu + half) };
  // accuracies live in [0, 1]; the Gaussian does not know that
  const unit = (x: number) => Math.min(1, Math.max(0, x));
  return { mean: unit(mu), lo: unit(mu - half), hi: unit(mu + half) };
}

const cell = (v: { mean: number; lo: number; hi: number }) => `${fmt(v.mean, 3)} [${fmt(v.lo, 2)}, ${fmt(v.hi, 2)}]`;
const percent = (f: number) => `${(100 * f).toFixed(f < 0.1 ? 1 : 0)}%`;
const SHOWN_POINTS = [0, 3, 6, 9, 12, 14, 15];

/** The table of one or more predictions side by side (columns metric x label). */
export function predictionTable(preds: { label: string; prediction: Prediction }[], steps: number, metrics: readonly CurveMetric[]): string {
  const header = ["step", ...metrics.flatMap((m) => preds.map((p) => (preds.length > 1 ? `${m} (${p.label})` : m)))];
  const rows = SHOWN_POINTS.map((k) => [
    `${pointStep(k, steps)} (${percent(CURVE_FRACTIONS[k]!)})`,
    ...metrics.flatMap((m) => preds.map((p) => cell(pointValue(p.prediction, m, k)))),
  ]);
  const widths = header.map((h, j) => Math.max(h.length, ...rows.map((r) => r[j]!.length)));
  const line = (r: string[]) => r.map((c, j) => c.padEnd(widths[j]!)).join("  ").trimEnd();
  return [line(header), ...rows.map(line)].join("\n");
}

/** The predicted mean test loss (and optionally others) as a terminal chart. */
export function predictionChart(preds: { label: string; prediction: Prediction }[], steps: number, metric: CurveMetric = "test_loss"): string | null {
  const stepsAt = Array.from({ length: CURVE_POINTS }, (_, k) => pointStep(k, steps));
  const series = preds.map((p) => ({ label: `${metric} (${p.label})`, steps: stepsAt, values: stepsAt.map((_, k) => pointValue(p.prediction, metric, k).mean) }));
  return terminalChart(series, { title: `predicted ${metric}`, log: isLoss(metric), color: useColor(), height: 8 });
}

/** Event probabilities, most likely first, those above 2%. */
export function eventLines(p: Prediction): string[] {
  return Object.entries(p.events).filter(([, v]) => v >= 0.02).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} ${(100 * v).toFixed(0)}%`);
}

/** Metrics the task defines (accuracies only for classification tasks). */
export function shownMetrics(hasAccuracy: boolean): CurveMetric[] {
  return CURVE_METRICS.filter((m) => hasAccuracy || isLoss(m));
}

/** A Vega-Lite spec: per metric kind a panel with each prediction's mean line and 80% band over steps. */
export function predictionPlotSpec(preds: { label: string; prediction: Prediction }[], steps: number, metrics: readonly CurveMetric[], title: string): Record<string, unknown> {
  const kinds = [...new Set(metrics.map((m) => (isLoss(m) ? "loss" : "accuracy")))];
  const panels = kinds.map((kind) => {
    const values = preds.flatMap((p) => metrics.filter((m) => (isLoss(m) ? "loss" : "accuracy") === kind).flatMap((m) =>
      Array.from({ length: CURVE_POINTS }, (_, k) => ({ prediction: p.label, metric: m, step: Math.max(1, pointStep(k, steps)), ...pointValue(p.prediction, m, k) }))));
    const x = { field: "step", type: "quantitative", scale: { type: "log", nice: false }, axis: { title: "step (log scale)", format: "~s" } };
    const yScale = kind === "loss" ? { type: "log" } : { domain: [0, 1] };
    const color = { field: "prediction", type: "nominal", title: "prediction", scale: { domain: preds.map((p) => p.label) } };
    return {
      data: { values },
      layer: [
        { mark: { type: "area", opacity: 0.15 }, encoding: { x, y: { field: "lo", type: "quantitative", scale: yScale, title: `${kind} (mean, 80% band)` }, y2: { field: "hi" }, color, detail: { field: "metric" } } },
        { mark: { type: "line", strokeWidth: 1.8, point: true }, encoding: { x, y: { field: "mean", type: "quantitative", scale: yScale }, color, strokeDash: { field: "metric", type: "nominal" } } },
      ],
      width: 600,
      height: 240,
    };
  });
  return {
    $schema: "https://vega.github.io/schema/vega-lite/v6.json",
    title, background: "white", padding: 12, vconcat: panels,
    resolve: { scale: { y: "independent", strokeDash: "independent" }, legend: { strokeDash: "independent" } },
    config: { font: "DejaVu Sans, Helvetica, Arial, sans-serif" },
  };
}
