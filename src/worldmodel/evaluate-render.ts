// Text rendering of an evaluation report: per split, one table with a row per
// metric and a column per predictor, the winner of each row marked with *, then
// (for a focus predictor, e.g. the learned world model) which metrics it wins on
// every split. JSON output is the report object itself (NaN becomes null).

import { EVAL_METRICS, METRIC_INFO, MIN_FAMILY_TEST, PREFIX_FRACTION, SIGN_NOISE, type EvaluationReport } from "./evaluate.js";
import type { NoiseReference } from "./noise.js";

function noiseLine(n: NoiseReference): string {
  if (n.configs === 0) return "seed noise: no configs were run with two seeds (the dataset's replicates or `run --repeats` provide them)";
  return `seed noise (${n.configs} configs run with two seeds): final log10 test loss differs by ${fmt(n.maeFinal)} on average (curve points ${fmt(n.maeCurve)}); ` +
    `one seed ranks the other with Spearman ${fmt(n.spearmanFinal)} pooled, ${fmt(n.spearmanFinalFamily)} within family (median of ${n.families}), ` +
    `so a perfect predictor of the expected outcome would reach about ${fmt(n.ceilingSpearmanFinal)} and ${fmt(n.ceilingSpearmanFinalFamily)} on single runs`;
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "-");

export function renderReport(report: EvaluationReport, focus?: string): string {
  const lines: string[] = [];
  lines.push(`evaluation of ${report.examples} runs (seed ${report.seed}); * marks the best predictor of each metric`);
  for (const s of report.splits) {
    lines.push("", `split ${s.split} (${s.description}): ${s.nTrain} train, ${s.nTest} test runs`);
    const names = s.results.map((r) => r.predictor);
    const width = Math.max(10, ...names.map((n) => n.length + 2));
    const metricWidth = Math.max(...EVAL_METRICS.map((m) => m.length)) + 2;
    lines.push(`${"metric".padEnd(metricWidth)}${names.map((n) => n.padStart(width)).join("")}${"n".padStart(9)}  better`);
    for (const m of EVAL_METRICS) {
      const cells = s.results.map((r) => `${fmt(r.metrics[m].value)}${s.winners[m].includes(r.predictor) ? "*" : " "}`.padStart(width));
      const n = Math.max(0, ...s.results.map((r) => r.metrics[m].n));
      lines.push(`${m.padEnd(metricWidth)}${cells.join("")}${String(n).padStart(9)}  ${METRIC_INFO[m].better}`);
    }
    lines.push(`${"fit seconds".padEnd(metricWidth)}${s.results.map((r) => `${r.fitSeconds.toFixed(1)} `.padStart(width)).join("")}`);
  }
  if (focus && report.splits.some((s) => s.results.some((r) => r.predictor === focus))) {
    lines.push("");
    for (const s of report.splits) {
      const lost = EVAL_METRICS.filter((m) => s.winners[m].length > 0 && !s.winners[m].includes(focus));
      lines.push(`${focus} on ${s.split}: ${lost.length === 0 ? "best on every defined metric" : `not best on ${lost.join(", ")}`}`);
    }
  }
  lines.push("", noiseLine(report.noise));
  lines.push("", `rules: final loss = log10 test loss at the last point (non-finite left out); family Spearman = median over families with >= ${MIN_FAMILY_TEST} test runs; ` +
    `sign pairs = test runs of one sweep differing in one config path, |actual delta| >= ${SIGN_NOISE} log10, predicted tie = 1/2; ` +
    `extrapolation given the first ${PREFIX_FRACTION * 100}% of the curves; forks given their parent's curves up to the fork step (losses after it; the sign of their effect against the parent predicted from the same prefix); coverage over all metrics and points.`);
  return `${lines.join("\n")}\n`;
}

/** The report as JSON (non-finite numbers as null). */
export function reportJson(report: EvaluationReport): string {
  return JSON.stringify(report, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v));
}
