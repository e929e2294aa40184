// Text rendering of an evaluation report: per split, one table with a row per
// metric and a column per predictor, the winner of each row marked with *, then
// (for a focus predictor, e.g. the learned world model) which metrics it wins on
// every split. A report averaged over several split seeds shows each value as its
// mean ± the standard deviation over the seeds. JSON output is the report object
// itself (NaN becomes null).

import { EVAL_METRICS, METRIC_INFO, MIN_FAMILY_TEST, PREFIX_FRACTION, SIGN_NOISE, type EvaluationReport, type MetricValue } from "./evaluate.js";
import type { NoiseReference } from "./noise.js";
import type { SignNoise } from "./sign-noise.js";
import { sampleStd } from "./metrics.js";

function noiseLine(n: NoiseReference): string {
  if (n.configs === 0) return "seed noise: no configs were run with two seeds (the dataset's replicates or `run --repeats` provide them)";
  return `${spearmanNoise(n)}\n${signNoiseLine(n.sign)}`;
}

function signNoiseLine(s: SignNoise): string {
  if (s.pairs === 0) return "sign noise: no sweep was run with two seeds (the dataset's sweep replicates or sweeps with repeats provide them)";
  return `sign noise (${s.sweeps} sweeps run with two seeds, ${s.pairs} pairs scored both ways): one seed's intervention effects give the other's their sign ` +
    `with accuracy ${fmt(s.agreement)}, so a perfect predictor of the expected effect would reach about ${fmt(s.ceiling)} on single runs` +
    (Object.keys(s.knobs).length > 0 ? `; one seed against the other per knob turned (pairs): ${valueList(s.knobs)}` : "");
}

function spearmanNoise(n: NoiseReference): string {
  return `seed noise (${n.configs} configs run with two seeds): final log10 test loss differs by ${fmt(n.maeFinal)} on average (curve points ${fmt(n.maeCurve)}); ` +
    `one seed ranks the other with Spearman ${fmt(n.spearmanFinal)} pooled, ${fmt(n.spearmanFinalFamily)} within family (median of ${n.families}), ` +
    `so a perfect predictor of the expected outcome would reach about ${fmt(n.ceilingSpearmanFinal)} and ${fmt(n.ceilingSpearmanFinalFamily)} on single runs` +
    (Object.keys(n.familySpearman).length > 0 ? `; one seed against the other per family (configs): ${valueList(n.familySpearman)}` : "");
}

/** "dyck 0.364 (53), sequence 0.803 (62)": a value per name (family, knob) with its count. */
function valueList(byName: Record<string, MetricValue>): string {
  return Object.entries(byName).map(([f, v]) => `${f} ${fmt(v.value)} (${v.n})`).join(", ");
}

const fmt = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : "-");

/** A metric's cell: the value, and ± its spread over seeds when there are several. */
function cell(v: MetricValue): string {
  const sd = v.values ? sampleStd(v.values) : NaN;
  return Number.isFinite(sd) ? `${fmt(v.value)}±${sd.toFixed(3)}` : fmt(v.value);
}

export function renderReport(report: EvaluationReport, focus?: string): string {
  const lines: string[] = [];
  const seeds = report.seeds;
  const seedText = seeds.length > 1 ? `split seeds ${seeds.join(", ")}: each value the mean over a split's draws ± its standard deviation` : `seed ${report.seed}`;
  lines.push(`evaluation of ${report.examples} runs (${seedText}); * marks the best predictor of each metric`);
  for (const s of report.splits) {
    lines.push("", `split ${s.split} (${s.description}): ${s.nTrain} train, ${s.nTest} test runs${s.seeds.length > 1 ? ` (means over seeds ${s.seeds.join(", ")})` : seeds.length > 1 ? " (drawn once: the split does not depend on the seed)" : ""}, ${s.nForks} of them forks (scored by the fork metrics only)`);
    const names = s.results.map((r) => r.predictor);
    const texts = EVAL_METRICS.map((m) => s.results.map((r) => `${cell(r.metrics[m])}${s.winners[m].includes(r.predictor) ? "*" : " "}`));
    const width = Math.max(10, ...names.map((n) => n.length + 2), ...texts.flat().map((t) => t.length + 1));
    const metricWidth = Math.max(...EVAL_METRICS.map((m) => m.length)) + 2;
    lines.push(`${"metric".padEnd(metricWidth)}${names.map((n) => n.padStart(width)).join("")}${"n".padStart(9)}  better`);
    for (const [mi, m] of EVAL_METRICS.entries()) {
      const cells = texts[mi]!.map((t) => t.padStart(width));
      const n = Math.max(0, ...s.results.map((r) => r.metrics[m].n));
      lines.push(`${m.padEnd(metricWidth)}${cells.join("")}${String(n).padStart(9)}  ${METRIC_INFO[m].better}`);
    }
    lines.push(`${"fit seconds".padEnd(metricWidth)}${s.results.map((r) => `${r.fitSeconds.toFixed(1)} `.padStart(width)).join("")}`);
    const focused = s.results.find((r) => r.predictor === focus);
    if (focused && Object.keys(focused.families).length > 0) {
      lines.push(`within-family Spearman of ${focus}${s.seeds.length > 1 ? " (mean over seeds)" : ""}, per family (test runs): ${valueList(focused.families)}`);
    }
    if (focused && Object.keys(focused.knobs).length > 0) {
      lines.push(`sign accuracy of ${focus}${s.seeds.length > 1 ? " (mean over seeds)" : ""}, per knob turned (pairs): ${valueList(focused.knobs)}`);
    }
  }
  if (focus && report.splits.some((s) => s.results.some((r) => r.predictor === focus))) {
    lines.push("");
    for (const s of report.splits) {
      const lost = EVAL_METRICS.filter((m) => s.winners[m].length > 0 && !s.winners[m].includes(focus));
      lines.push(`${focus} on ${s.split}: ${lost.length === 0 ? "best on every defined metric" : `not best on ${lost.join(", ")}`}`);
    }
  }
  lines.push("", noiseLine(report.noise));
  lines.push("", `rules: forks are scored only by the fork metrics (their config alone does not say what they did: they trained under their parent's config up to the fork step); final loss = log10 test loss at the last point (non-finite left out); family Spearman = median over families with >= ${MIN_FAMILY_TEST} test runs; ` +
    `sign pairs = test runs of one sweep differing in one config path, |actual delta| >= ${SIGN_NOISE} log10, predicted tie = 1/2; ` +
    `extrapolation given the first ${PREFIX_FRACTION * 100}% of the curves; forks given their parent's curves up to the fork step (losses after it; the sign of their effect against the parent predicted from the same prefix); coverage over all metrics and points.`);
  return `${lines.join("\n")}\n`;
}

/** The report as JSON (non-finite numbers as null). */
export function reportJson(report: EvaluationReport): string {
  return JSON.stringify(report, (_k, v) => (typeof v === "number" && !Number.isFinite(v) ? null : v));
}
