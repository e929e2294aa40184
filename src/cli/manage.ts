// `toyworld cancel`, `toyworld requeue` and `toyworld rm`: take runs out of the
// queue, put them back, and take them out of the data. Thin over
// runner/manage.ts; a selection mistake (an unknown or ambiguous id, a running run
// to delete, a parent without its forks, a status that cannot be requeued) is a
// usage error, exit code 2. rm deletes nothing without --yes: it prints what
// it would delete and exits 0.

import { cancelRuns, removeRuns, requeueRuns, SelectionError, type RemoveReport } from "../runner/manage.js";
import type { RunStatus } from "../store/index.js";
import { UsageError } from "./errors.js";
import { filterFrom, withExistingStore, type Out, type StoreFlags } from "./query.js";

/** Runs listed in text output before "and n more". */
const LISTED = 20;

/** SelectionErrors (what a person named) become usage errors: one line, exit code 2. */
async function userErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof SelectionError) throw new UsageError(e.message);
    throw e;
  }
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function listed<T>(items: T[], line: (item: T) => string): string {
  const shown = items.slice(0, LISTED).map((x) => `  ${line(x)}\n`).join("");
  return items.length > LISTED ? `${shown}  ... and ${items.length - LISTED} more\n` : shown;
}

export async function cancelCommand(
  runs: string[], flags: StoreFlags & { sweep?: string; allQueued?: boolean }, stdout: Out = process.stdout,
): Promise<void> {
  const report = await withExistingStore(flags, (store) =>
    userErrors(() => cancelRuns(store, { refs: runs, sweepId: flags.sweep, allQueued: Boolean(flags.allQueued) })));
  if (flags.json) {
    stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  const running = report.cancelled.filter((c) => c.was === "running").length;
  let text = `cancelled ${plural(report.cancelled.length, "run")}`;
  if (running > 0) text += ` (${running} running: ${running === 1 ? "its worker drops its result" : "their workers drop their results"} at the next heartbeat)`;
  text += report.cancelled.length > 0 ? ":\n" : "\n";
  text += listed(report.cancelled, (c) => `${c.id}  was ${c.was}`);
  if (report.skipped.length > 0) {
    text += `skipped ${plural(report.skipped.length, "run")} that had already ended:\n`;
    text += listed(report.skipped, (s) => `${s.id}  ${s.status}`);
  }
  stdout.write(text);
}

export async function requeueCommand(
  runs: string[], flags: StoreFlags & { sweep?: string; status?: string }, stdout: Out = process.stdout,
): Promise<void> {
  const statuses = flags.status === undefined ? [] : (filterFrom({ status: flags.status }).status as RunStatus[]);
  const report = await withExistingStore(flags, (store) =>
    userErrors(() => requeueRuns(store, { refs: runs, sweepId: flags.sweep, statuses })));
  if (flags.json) {
    stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  let text = `requeued ${plural(report.requeued.length, "run")}`;
  text += report.requeued.length > 0 ? " (a worker trains them: toyworld worker):\n" : "\n";
  text += listed(report.requeued, (r) => `${r.id}  was ${r.was}${r.error ? `: ${r.error.split("\n")[0]}` : ""}`);
  if (report.skipped.length > 0) {
    text += `skipped ${plural(report.skipped.length, "run")} neither cancelled nor failed:\n`;
    text += listed(report.skipped, (s) => `${s.id}  ${s.status}`);
  }
  stdout.write(text);
}

function describe(r: RemoveReport): string {
  const d = r.deleted;
  const parts = [
    `${plural(d.runIds.length, "run")} (${plural(d.curves, "curve")}, ${plural(d.checkpoints, "checkpoint")})`,
    `${plural(d.findingIds.length, "finding")} involving them (${plural(d.annotations, "annotation")})`,
    `${plural(d.predictions, "prediction")} made for them`,
  ];
  if (d.sweepIds.length > 0) parts.push(`${d.sweepIds.length === 1 ? "sweep" : "sweeps"} ${d.sweepIds.join(", ")}, left without runs`);
  return parts.join(", ");
}

export async function rmCommand(
  runs: string[], flags: StoreFlags & { sweep?: string; status?: string; yes?: boolean }, stdout: Out = process.stdout,
): Promise<void> {
  const statuses = flags.status === undefined ? [] : (filterFrom({ status: flags.status }).status as RunStatus[]);
  const report = await withExistingStore(flags, (store) =>
    userErrors(() => removeRuns(store, { refs: runs, sweepId: flags.sweep, statuses, dryRun: !flags.yes })));
  if (flags.json) {
    stdout.write(`${JSON.stringify(report)}\n`);
    return;
  }
  if (report.runs.length === 0) {
    stdout.write("no runs match: nothing to delete\n");
    return;
  }
  const list = listed(report.runs, (r) => `${r.id}  ${r.status.padEnd(9)}  ${r.family}${r.name ? `  ${r.name}` : ""}`);
  if (report.dryRun) stdout.write(`would delete ${describe(report)}:\n${list}nothing deleted: run again with --yes to delete them\n`);
  else stdout.write(`deleted ${describe(report)}:\n${list}`);
}
