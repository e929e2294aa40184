// The short report printed after runs finish: one line per run with its status and
// final losses and accuracies (or one JSON object per line with --json).

import type { RunRecord, Store } from "../store/index.js";

export interface RunSummary {
  id: string;
  status: string;
  family: string;
  name: string | null;
  divergedAt: number | null;
  wallSeconds: number | null;
  error: string | null;
  final: Record<string, number | null>;
}

const FINAL_METRICS = ["train_loss", "test_loss", "train_acc", "test_acc"];

export async function runSummaries(store: Store, runs: RunRecord[]): Promise<RunSummary[]> {
  const curves = await store.getCurves(runs.map((r) => r.id), FINAL_METRICS);
  return runs.map((r) => {
    const c = curves.get(r.id) ?? {};
    const final: Record<string, number | null> = {};
    for (const m of FINAL_METRICS) {
      const v = c[m]?.values.at(-1);
      final[m] = v === undefined || Number.isNaN(v) ? null : v;
    }
    return { id: r.id, status: r.status, family: r.family, name: r.name, divergedAt: r.divergedAt, wallSeconds: r.wallSeconds, error: r.error, final };
  });
}

const fmt = (v: number | null, digits = 4) => (v === null ? "-" : v.toPrecision(digits));

export async function summarizeRuns(store: Store, runs: RunRecord[], json: boolean): Promise<void> {
  const rows = await runSummaries(store, runs);
  if (json) {
    for (const r of rows) process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  process.stdout.write("run               status     family                 train_loss  test_loss  train_acc  test_acc   seconds\n");
  for (const r of rows) {
    const f = r.final;
    process.stdout.write(
      `${r.id.padEnd(17)} ${r.status.padEnd(10)} ${r.family.padEnd(22)} ${fmt(f.train_loss!).padStart(10)} ${fmt(f.test_loss!).padStart(10)} ` +
      `${fmt(f.train_acc!, 3).padStart(10)} ${fmt(f.test_acc!, 3).padStart(9)} ${fmt(r.wallSeconds, 3).padStart(9)}` +
      `${r.divergedAt !== null ? `  diverged at step ${r.divergedAt}` : ""}${r.error ? `  error: ${r.error}` : ""}\n`,
    );
  }
}
