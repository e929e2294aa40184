// `toyworld presets` and `toyworld sample`: list the literature presets (a table, or
// one JSON document per line with the full experiment) and draw experiments from the
// generator's priors (always one JSON experiment document per line, loadable as is).

import { validateExperiment } from "../universe/config/validate.js";
import { estimateCost, sampleExperimentInfos } from "../universe/generate/index.js";
import { presetNames, presets } from "../universe/presets/index.js";
import { UsageError } from "./errors.js";

export type Write = (text: string) => void;

const stdout: Write = (text) => {
  process.stdout.write(text);
};

function formatCount(n: number): string {
  return n >= 1e6 ? `${(n / 1e6).toFixed(1)}M` : n >= 1e3 ? `${(n / 1e3).toFixed(1)}k` : String(n);
}

function formatSeconds(s: number): string {
  return s >= 90 ? `${Math.round(s / 60)} min` : `${Math.max(1, Math.round(s))} s`;
}

function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  return rows.map((r) => r.map((cell, c) => (c === r.length - 1 ? cell : cell.padEnd(widths[c]!))).join("  ").trimEnd()).join("\n") + "\n";
}

/** Lists the presets: a table (name, task, parameters, steps, estimated time, summary) or JSON lines. */
export function presetsCommand(opts: { json: boolean }, write: Write = stdout): void {
  const rows: string[][] = [["NAME", "TASK", "PARAMS", "STEPS", "EST. TIME", "SUMMARY"]];
  for (const name of presetNames) {
    const p = presets[name];
    const v = validateExperiment(p.experiment);
    if (!v.ok) throw new Error(`preset ${name} is invalid: ${v.problems.map((q) => `${q.path}: expected ${q.expected}`).join("; ")}`);
    const seconds = estimateCost(v).total;
    if (opts.json) {
      write(`${JSON.stringify({
        name, summary: p.summary, source: p.source, notes: p.notes, id: v.id, paramCount: v.paramCount,
        estimatedSeconds: Math.round(seconds), sweep: p.sweep ?? null, experiment: p.experiment,
      })}\n`);
    } else {
      rows.push([name, String(v.config.task.family), formatCount(v.paramCount), formatCount(v.config.train.steps), formatSeconds(seconds), p.summary]);
    }
  }
  if (!opts.json) write(table(rows));
}

/**
 * Prints n experiments sampled with the seed, one JSON document per line (always
 * JSON: `json` is accepted for symmetry with the other commands). Each document is
 * a valid experiment named "sample-<seed>-<index>"; the same (n, seed) always
 * prints the same lines, and the first k lines of n are those of k.
 */
export function sampleCommand(opts: { n: number; seed: number; json: boolean }, write: Write = stdout): void {
  if (!Number.isInteger(opts.n) || opts.n < 1 || opts.n > 1_000_000) throw new UsageError(`--n must be an integer in 1..1000000, got '${opts.n}'`);
  if (!Number.isInteger(opts.seed) || opts.seed < 0 || opts.seed > 2 ** 31 - 1) {
    throw new UsageError(`--seed must be an integer in 0..${2 ** 31 - 1}, got '${opts.seed}'`);
  }
  sampleExperimentInfos(opts.n, opts.seed).forEach((info, i) => {
    write(`${JSON.stringify({ name: `sample-${opts.seed}-${i}`, ...info.config })}\n`);
  });
}
