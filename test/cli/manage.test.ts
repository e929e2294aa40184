// `toyworld cancel`, `requeue` and `rm` on small stores of queued, running, finished
// and forked runs in a sweep: what each selects (id prefixes, --sweep, --all-queued,
// --status), what ends cancelled or back in the queue and what is skipped, rm's dry run by default and
// its refusals, JSON shapes, and mistakes as UsageErrors; a few commands run as a
// user runs them, for exit codes. Each test gets a store of its own.

import { test, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore, type NewRun, type RunResult } from "../../src/store/index.js";
import { cancelCommand, requeueCommand, rmCommand } from "../../src/cli/manage.js";
import { UsageError } from "../../src/cli/errors.js";

const cli = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "toyworld-manage-"));
after(() => rmSync(dir, { recursive: true, force: true }));

function run(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } }, (error, out, err) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, out, err }));
  });
}

async function output(fn: (out: { write(s: string): void }) => Promise<void>): Promise<string> {
  let text = "";
  await fn({ write: (s) => void (text += s) });
  return text;
}

const finished: RunResult = {
  status: "completed", divergedAt: null, wallSeconds: 1, paramCount: 10,
  curves: { train_loss: { steps: Int32Array.from([0, 10]), values: Float64Array.from([1, 0.5]) } },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let stores = 0;
/**
 * A store holding a sweep (two queued runs, one completed), a completed parent with a
 * queued fork, and a run another worker is training.
 */
async function fixture() {
  const db = join(dir, `store-${++stores}.db`);
  const store = await openStore(db);
  try {
    const run = (name: string, extra: Partial<NewRun> = {}): NewRun => ({ configId: `cfg-${name}`, config: { name }, family: "toy", name, ...extra });
    const sweep = await store.createSweep("mistake", {});
    // a few milliseconds apart: listed oldest first, in this order
    const [q1] = await store.enqueue([run("q1", { sweepId: sweep })]);
    await sleep(3);
    const [q2] = await store.enqueue([run("q2", { sweepId: sweep })]);
    await sleep(3);
    const done = await store.insertFinished(run("done", { sweepId: sweep }), finished);
    await sleep(3);
    const parent = await store.insertFinished(run("parent"), finished);
    await sleep(3);
    const [fork] = await store.enqueue([run("fork", { lineage: { parentRunId: parent, forkStep: 5, interventions: [] } })]);
    await sleep(3);
    const [busy] = await store.enqueue([run("busy", { priority: 9 })]);
    assert.deepEqual((await store.claim("other:1", 1, 60_000)).map((r) => r.id), [busy]);
    return { db, sweep, q1: q1!, q2: q2!, done, parent, fork: fork!, busy: busy! };
  } finally {
    await store.close();
  }
}

async function statuses(db: string): Promise<Record<string, string>> {
  const store = await openStore(db);
  try {
    return Object.fromEntries((await store.listRuns()).map((r) => [r.name!, r.status]));
  } finally {
    await store.close();
  }
}

test("cancel: by id prefix, by sweep (finished runs skipped), a running run, every queued run", async () => {
  const f = await fixture();
  const json = JSON.parse(await output((o) => cancelCommand([f.q1.slice(0, 12)], { db: f.db, json: true }, o)));
  assert.deepEqual(json, { cancelled: [{ id: f.q1, was: "queued" }], skipped: [] });

  const text = await output((o) => cancelCommand([], { db: f.db, sweep: f.sweep }, o));
  assert.match(text, new RegExp(`^cancelled 1 run:\\n  ${f.q2}  was queued\\n`));
  assert.match(text, new RegExp(`skipped 2 runs that had already ended:\\n  ${f.q1}  cancelled\\n  ${f.done}  completed\\n`));

  const busy = await output((o) => cancelCommand([f.busy], { db: f.db }, o));
  assert.match(busy, /cancelled 1 run \(1 running: its worker drops its result at the next heartbeat\)/);
  assert.deepEqual(JSON.parse(await output((o) => cancelCommand([], { db: f.db, allQueued: true, json: true }, o))),
    { cancelled: [{ id: f.fork, was: "queued" }], skipped: [] });
  assert.deepEqual(await statuses(f.db), { q1: "cancelled", q2: "cancelled", done: "completed", parent: "completed", fork: "cancelled", busy: "cancelled" });
});

test("cancel: mistakes name what was expected and found", async () => {
  const f = await fixture();
  const usage = (p: Promise<unknown>, re: RegExp) => assert.rejects(p, (e: unknown) => e instanceof UsageError && re.test(e.message));
  await usage(output((o) => cancelCommand([], { db: f.db }, o)), /say which runs to cancel: run ids, --sweep ID or --all-queued/);
  await usage(output((o) => cancelCommand(["zzzz"], { db: f.db }, o)), /no run 'zzzz'/);
  await usage(output((o) => cancelCommand(["r"], { db: f.db }, o)), /'r' names more than one run \(r[0-9a-z]{15}, .*\): give more of its id/);
  await usage(output((o) => cancelCommand(["r-1"], { db: f.db }, o)), /'r-1' is not a run id/);
  await usage(output((o) => cancelCommand([], { db: f.db, sweep: "snosuch" }, o)), /no sweep 'snosuch'/);
  await usage(output((o) => cancelCommand([f.q1], { db: join(dir, "missing.db") }, o)), /no store at/);
  assert.equal((await statuses(f.db)).q1, "queued", "nothing was cancelled");
});

test("requeue: cancelled and failed runs go back in the queue (by id, sweep or status); others are skipped", async () => {
  const f = await fixture();
  const store = await openStore(f.db);
  try {
    assert.equal(await store.fail(f.busy, "other:1", "out of memory\n    at train"), true);
  } finally {
    await store.close();
  }
  await output((o) => cancelCommand([f.q1], { db: f.db }, o));

  const bySweep = await output((o) => requeueCommand([], { db: f.db, sweep: f.sweep }, o));
  assert.match(bySweep, new RegExp(`^requeued 1 run \\(a worker trains them: toyworld worker\\):\n  ${f.q1}  was cancelled\n`));
  assert.match(bySweep, new RegExp(`skipped 2 runs neither cancelled nor failed:\n  ${f.q2}  queued\n  ${f.done}  completed\n$`));

  const failed = await output((o) => requeueCommand([], { db: f.db, status: "failed" }, o));
  assert.equal(failed, `requeued 1 run (a worker trains them: toyworld worker):\n  ${f.busy}  was failed: out of memory\n`, "the error's first line");
  assert.deepEqual(await statuses(f.db), { q1: "queued", q2: "queued", done: "completed", parent: "completed", fork: "queued", busy: "queued" });
  assert.deepEqual(JSON.parse(await output((o) => requeueCommand([f.busy.slice(0, 10)], { db: f.db, json: true }, o))),
    { requeued: [], skipped: [{ id: f.busy, status: "queued" }] });

  const usage = (p: Promise<unknown>, re: RegExp) => assert.rejects(p, (e: unknown) => e instanceof UsageError && re.test(e.message));
  await usage(output((o) => requeueCommand([], { db: f.db }, o)), /say which runs to requeue: run ids, --sweep ID or --status cancelled,failed/);
  await usage(output((o) => requeueCommand([], { db: f.db, status: "completed" }, o)), /--status completed: only cancelled and failed runs can be requeued/);
  await usage(output((o) => requeueCommand(["zzzz"], { db: f.db }, o)), /no run 'zzzz'/);

  await output((o) => cancelCommand([f.fork], { db: f.db }, o));
  const cli = await run("requeue", f.fork, "--db", f.db, "--json");
  assert.equal(cli.code, 0, cli.err);
  assert.deepEqual(JSON.parse(cli.out), { requeued: [{ id: f.fork, was: "cancelled", error: null }], skipped: [] });
  assert.equal((await run("requeue", "--status", "running", "--db", f.db)).code, 2);
});

test("rm: a dry run by default, then --yes deletes; forks need their parent selected with them", async () => {
  const f = await fixture();
  await assert.rejects(output((o) => rmCommand([f.parent], { db: f.db }, o)),
    (e: unknown) => e instanceof UsageError && e.message === `nothing deleted: ${f.parent} has forks ${f.fork} that would lose their parent: delete them too`);

  const dry = await output((o) => rmCommand([f.parent, f.fork.slice(0, 10)], { db: f.db }, o));
  assert.match(dry, /^would delete 2 runs \(1 curve, 0 checkpoints\), 0 findings involving them \(0 annotations\), 0 predictions made for them:\n/);
  assert.match(dry, /nothing deleted: run again with --yes to delete them\n$/);
  assert.equal(Object.keys(await statuses(f.db)).length, 6, "the dry run deleted nothing");

  const done = JSON.parse(await output((o) => rmCommand([f.parent, f.fork], { db: f.db, yes: true, json: true }, o)));
  assert.equal(done.dryRun, false);
  assert.deepEqual(done.runs.map((r: { name: string }) => r.name), ["parent", "fork"], "oldest first");
  assert.deepEqual(done.deleted.runIds, [f.parent, f.fork]);
  assert.deepEqual(Object.keys(await statuses(f.db)).sort(), ["busy", "done", "q1", "q2"]);
});

test("rm: a running run is refused until cancelled; --sweep takes the sweep when it is left empty; --status narrows", async () => {
  const f = await fixture();
  await assert.rejects(output((o) => rmCommand([f.busy], { db: f.db, yes: true }, o)),
    (e: unknown) => e instanceof UsageError && e.message === `nothing deleted: ${f.busy} is running: cancel first`);
  await output((o) => cancelCommand([f.busy, f.q1], { db: f.db }, o));

  const some = JSON.parse(await output((o) => rmCommand([], { db: f.db, sweep: f.sweep, status: "cancelled,completed", json: true }, o)));
  assert.deepEqual(some.runs.map((r: { name: string }) => r.name), ["q1", "done"], "the sweep's runs with those statuses");
  assert.deepEqual(some.deleted.sweepIds, [], "q2 stays in the sweep");

  const all = await output((o) => rmCommand([], { db: f.db, sweep: f.sweep, yes: true }, o));
  assert.match(all, new RegExp(`^deleted 3 runs \\(1 curve, 0 checkpoints\\), .*, sweep ${f.sweep}, left without runs:\\n`));
  const cancelledOnly = JSON.parse(await output((o) => rmCommand([], { db: f.db, status: "cancelled", json: true }, o)));
  assert.deepEqual(cancelledOnly.runs.map((r: { name: string }) => r.name), ["busy"], "--status alone: every run with it");
  assert.equal(await output((o) => rmCommand([], { db: f.db, status: "failed" }, o)), "no runs match: nothing to delete\n");

  await assert.rejects(output((o) => rmCommand([], { db: f.db }, o)), /say which runs to delete: run ids, --sweep ID or --status S/);
  await assert.rejects(output((o) => rmCommand([], { db: f.db, status: "gone" }, o)), /--status must be one or more of .*cancelled.*got 'gone'/);
});

test("cancel and rm as a user runs them: exit codes, one-line errors, ls --status cancelled", async () => {
  const f = await fixture();
  const missing = await run("cancel", "zzzz", "--db", f.db);
  assert.equal(missing.code, 2);
  assert.equal(missing.err, "toyworld: no run 'zzzz' (no id starts with it)\n");
  const cancelled = await run("cancel", f.q1, "--db", f.db, "--json");
  assert.equal(cancelled.code, 0, cancelled.err);
  assert.deepEqual(JSON.parse(cancelled.out).cancelled, [{ id: f.q1, was: "queued" }]);
  const listed = await run("ls", "--status", "cancelled", "--db", f.db, "--json");
  assert.deepEqual(listed.out.trim().split("\n").map((l) => JSON.parse(l).id), [f.q1]);
  const dry = await run("rm", f.q1, "--db", f.db);
  assert.equal(dry.code, 0, dry.err);
  assert.match(dry.out, /^would delete 1 run/);
  const gone = await run("rm", f.q1, "--db", f.db, "--yes");
  assert.equal(gone.code, 0, gone.err);
  assert.match(gone.out, /^deleted 1 run/);
  assert.equal((await statuses(f.db)).q1, undefined);
});
