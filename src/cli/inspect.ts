// `toyworld ls` and `toyworld show`: the runs of a store as a table, and one run
// in full (config, status, lineage, summary numbers, curves drawn in the terminal).

import YAML from "yaml";
import type { Curve, RunCurves, RunRecord, Store } from "../store/index.js";
import { terminalChart, useColor, type Series } from "./chart.js";
import { countFlag, filterFrom, finiteOrNull, fmt, getRuns, withExistingStore, type FilterFlags, type Out, type StoreFlags } from "./query.js";

const FINAL_METRICS = ["train_loss", "test_loss", "train_acc", "test_acc"] as const;

export interface RunRow {
  id: string;
  status: string;
  family: string;
  name: string | null;
  configId: string;
  sweepId: string | null;
  parentRunId: string | null;
  forkStep: number | null;
  createdAt: number;
  /** the last step with a recorded train_loss */
  steps: number | null;
  wallSeconds: number | null;
  divergedAt: number | null;
  final: Record<string, number | null>;
}

/** The last value of a curve (null when there is none or it is NaN or infinite). */
const lastOf = (c: Curve | undefined) => finiteOrNull(c?.values.at(-1));

export async function runRows(store: Store, runs: RunRecord[]): Promise<RunRow[]> {
  const curves = await store.getCurves(runs.map((r) => r.id), [...FINAL_METRICS]);
  return runs.map((r) => {
    const c = curves.get(r.id) ?? {};
    const final = Object.fromEntries(FINAL_METRICS.map((m) => [m, lastOf(c[m])]));
    return {
      id: r.id, status: r.status, family: r.family, name: r.name, configId: r.configId, sweepId: r.sweepId,
      parentRunId: r.lineage?.parentRunId ?? null, forkStep: r.lineage?.forkStep ?? null, createdAt: r.createdAt,
      steps: c.train_loss?.steps.at(-1) ?? null, wallSeconds: r.wallSeconds, divergedAt: r.divergedAt, final,
    };
  });
}

const clip = (s: string, n: number) => (s.length <= n ? s : `${s.slice(0, n - 1)}…`);

export async function lsCommand(flags: StoreFlags & FilterFlags & { limit?: string }, stdout: Out = process.stdout): Promise<void> {
  const filter = filterFrom(flags);
  const limit = countFlag("--limit", flags.limit, 50);
  await withExistingStore(flags, async (store) => {
    const runs = await store.listRuns({ ...filter, ...(limit > 0 ? { limit } : {}) });
    const rows = await runRows(store, runs);
    if (flags.json) {
      stdout.write(rows.map((r) => `${JSON.stringify(r)}\n`).join(""));
      return;
    }
    const out: string[] = [];
    out.push(
      `${"run".padEnd(16)}  ${"status".padEnd(9)}  ${"family".padEnd(18)}  ${"name".padEnd(18)}  ` +
      `${"train_loss".padStart(10)}  ${"test_loss".padStart(10)}  ${"train_acc".padStart(9)}  ${"test_acc".padStart(8)}  ` +
      `${"steps".padStart(7)}  ${"seconds".padStart(8)}  parent`,
    );
    for (const r of rows) {
      const f = r.final;
      out.push((
        `${r.id.padEnd(16)}  ${r.status.padEnd(9)}  ${clip(r.family, 18).padEnd(18)}  ${clip(r.name ?? "-", 18).padEnd(18)}  ` +
        `${fmt(f.train_loss).padStart(10)}  ${fmt(f.test_loss).padStart(10)}  ${fmt(f.train_acc, 3).padStart(9)}  ${fmt(f.test_acc, 3).padStart(8)}  ` +
        `${(r.steps === null ? "-" : String(r.steps)).padStart(7)}  ${fmt(r.wallSeconds, 3).padStart(8)}  ` +
        `${r.parentRunId === null ? "" : `${r.parentRunId}@${r.forkStep}`}`).trimEnd(),
      );
    }
    const counts = await store.countRuns(filter);
    const total = Object.values(counts).reduce((a, b) => a + b, 0);
    if (rows.length === 0) out.push("(no runs)");
    else if (total > rows.length) out.push(`(${rows.length} newest of ${total} runs; --limit 0 shows all)`);
    stdout.write(`${out.join("\n")}\n`);
  });
}

/** The config as compact YAML: collections that fit on a line are written inline. */
export function compactYaml(config: unknown): string {
  const doc = new YAML.Document(config);
  YAML.visit(doc, {
    Collection(_, node, path) {
      // the top level stays a block; nested collections that fit go on one line
      if (path.length > 1 && JSON.stringify(node.toJSON()).replace(/"/g, "").length <= 100) node.flow = true;
    },
  });
  return doc.toString({ lineWidth: 140, flowCollectionPadding: false });
}

const intervention = (iv: { path: string; op: string; value: unknown }) =>
  iv.op === "mul" ? `${iv.path} x${String(iv.value)}` : `${iv.path}=${JSON.stringify(iv.value)}`;

interface Extremum {
  metric: string;
  value: number;
  step: number;
}

/** The lowest loss and highest accuracy of each curve, with their steps. */
function bests(curves: RunCurves): Extremum[] {
  const out: Extremum[] = [];
  for (const metric of FINAL_METRICS) {
    const c = curves[metric];
    if (!c) continue;
    const better = metric.endsWith("_acc") ? (a: number, b: number) => a > b : (a: number, b: number) => a < b;
    let best: Extremum | null = null;
    for (let i = 0; i < c.steps.length; i++) {
      const v = c.values[i]!;
      if (Number.isFinite(v) && (best === null || better(v, best.value))) best = { metric, value: v, step: c.steps[i]! };
    }
    if (best) out.push(best);
  }
  return out;
}

const plain = (c: Curve) => ({ steps: Array.from(c.steps), values: Array.from(c.values, (v) => (Number.isNaN(v) ? null : Number.isFinite(v) ? v : v > 0 ? "Infinity" : "-Infinity")) });

export async function showCommand(id: string, flags: StoreFlags & { color?: boolean; width?: number }, stdout: Out = process.stdout): Promise<void> {
  await withExistingStore(flags, async (store, url) => {
    const [run] = await getRuns(store, url, [id]);
    const r = run!;
    const curves = (await store.getCurves([r.id])).get(r.id) ?? {};
    const forks = await store.listRuns({ parentRunId: r.id });
    const [row] = await runRows(store, [r]);
    const best = bests(curves);
    if (flags.json) {
      const summary = {
        steps: row!.steps, wallSeconds: r.wallSeconds, divergedAt: r.divergedAt, paramCount: r.paramCount, final: row!.final,
        best: Object.fromEntries(best.map((b) => [b.metric, { value: b.value, step: b.step }])),
      };
      const { config, ...record } = r;
      const json = {
        run: { ...record, forks: forks.map((f) => ({ id: f.id, forkStep: f.lineage?.forkStep ?? null, status: f.status })) },
        config,
        summary,
        curves: Object.fromEntries(Object.entries(curves).map(([m, c]) => [m, plain(c)])),
      };
      stdout.write(`${JSON.stringify(json)}\n`);
      return;
    }
    const out: string[] = [];
    const line = (k: string, v: string) => out.push(`${k.padEnd(9)}${v}`);
    line("run", `${r.id}${r.name ? `  ${r.name}` : ""}`);
    line("status", `${r.status}${r.divergedAt !== null ? ` at step ${r.divergedAt}` : ""}${r.error ? `: ${r.error}` : ""}`);
    line("family", r.family);
    line("config", r.configId);
    if (r.sweepId) line("sweep", r.sweepId);
    if (r.lineage) line("forked", `from ${r.lineage.parentRunId} at step ${r.lineage.forkStep}: ${r.lineage.interventions.map(intervention).join(", ") || "-"}`);
    if (forks.length > 0) line("forks", forks.map((f) => `${f.id} (at ${f.lineage?.forkStep}, ${f.status})`).join(", "));
    line("created", new Date(r.createdAt).toISOString());
    const facts = [
      row!.steps !== null ? `${row!.steps} steps` : null,
      r.wallSeconds !== null ? `${fmt(r.wallSeconds, 3)} s` : null,
      r.paramCount !== null ? `${r.paramCount} parameters` : null,
      r.attempts > 0 ? `${r.attempts} attempts` : null,
    ].filter((s) => s !== null);
    if (facts.length > 0) line("ran", facts.join(", "));
    const finals = FINAL_METRICS.filter((m) => curves[m]).map((m) => `${m} ${fmt(row!.final[m])}`);
    if (finals.length > 0) line("final", finals.join("  "));
    if (best.length > 0) line("best", best.map((b) => `${b.metric} ${fmt(b.value)} @${b.step}`).join("  "));
    out.push("", "config:", ...compactYaml(r.config).trimEnd().split("\n").map((l) => `  ${l}`));
    const width = flags.width ?? Math.max(30, Math.min(110, (process.stdout.columns ?? 100) - 14));
    const color = flags.color ?? useColor();
    const series = (metrics: string[]): Series[] =>
      metrics.filter((m) => curves[m]).map((m) => ({ label: m, steps: curves[m]!.steps, values: curves[m]!.values }));
    const charts = [
      terminalChart(series(["train_loss", "test_loss"]), { title: "loss (log scale)", log: true, width, height: 12, color }),
      terminalChart(series(["train_acc", "test_acc"]), { title: "accuracy", range: [0, 1], width, height: 8, color }),
    ].filter((c): c is string => c !== null);
    for (const c of charts) out.push("", c);
    if (Object.keys(curves).length === 0) out.push("", "(no curves recorded)");
    stdout.write(`${out.join("\n")}\n`);
  });
}
