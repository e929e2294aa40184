// `toyworld ls | show | plot` on a store of a few finished runs with synthetic
// curves: JSON shapes, the terminal charts' legend, real SVG and PNG files, and
// mistakes as UsageErrors; a few commands run as a user runs them, to see that
// mistakes are one line with exit code 2. (Most calls stay in this process: a
// fresh node per call would cost more time than the checks.)

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore, type RunCurves } from "../../src/store/index.js";
import { terminalChart } from "../../src/cli/chart.js";
import { lsCommand, showCommand } from "../../src/cli/inspect.js";
import { plotCommand } from "../../src/cli/plot.js";
import { UsageError } from "../../src/cli/errors.js";

const cli = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "toyworld-inspect-"));
const db = join(dir, "runs.db");

function run(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "" };
    execFile(process.execPath, [cli, ...args], { encoding: "utf8", env }, (error, out, err) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, out, err }));
  });
}

/** Log-spaced steps 0, 1, 2, 4, ... up to `last`, and curves shaped like training. */
function curvesOf(last: number, opts: { from?: number; lossScale?: number; diverge?: boolean } = {}): RunCurves {
  const steps: number[] = [];
  for (let s = opts.from ?? 0; s <= last; s = s === 0 ? 1 : s * 2) steps.push(s);
  const n = steps.length, scale = opts.lossScale ?? 1;
  const at = (f: (s: number, i: number) => number) => ({ steps: Int32Array.from(steps), values: Float64Array.from(steps, f) });
  const c: RunCurves = {
    train_loss: at((s) => scale * 0.7 * Math.exp(-s / 40) + 1e-4),
    test_loss: at((s) => scale * 0.72 * Math.exp(-s / 50) + 2e-4),
    train_acc: at((s) => 1 - 0.5 * Math.exp(-s / 30)),
    test_acc: at((s) => 1 - 0.52 * Math.exp(-s / 35)),
    grad_norm: at((s, i) => (i === n - 1 ? NaN : 1 / (1 + s))),
    lr: at(() => 0.1),
  };
  if (opts.diverge) {
    c.train_loss!.values[n - 1] = Infinity;
    c.test_acc!.values[n - 1] = NaN;
  }
  return c;
}

/** What a command prints. */
async function output(fn: (out: { write(s: string): void }) => Promise<void>): Promise<string> {
  let text = "";
  await fn({ write: (s) => void (text += s) });
  return text;
}
const ls = (flags: Record<string, string>) => output((out) => lsCommand({ db, ...flags }, out));

const ids: Record<string, string> = {};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  const store = await openStore(db);
  try {
    const config = (lr: number) => ({ task: { family: "sparse-parity", n: 12, k: 2 }, model: { unit: "mlp", width: 16 }, train: { lr, steps: 256 } });
    ids.a = await store.insertFinished(
      { configId: "cfg-a", config: config(0.1), family: "sparse-parity", name: "alpha" },
      { status: "completed", divergedAt: null, wallSeconds: 1.5, paramCount: 321, curves: curvesOf(256) },
    );
    await sleep(3);
    ids.b = await store.insertFinished(
      { configId: "cfg-b", config: config(10), family: "sparse-parity", name: "beta", sweepId: "s-one" },
      { status: "diverged", divergedAt: 8, wallSeconds: 0.2, paramCount: 321, curves: curvesOf(8, { diverge: true, lossScale: 100 }) },
    );
    await sleep(3);
    ids.c = await store.insertFinished(
      {
        configId: "cfg-c", config: config(0.2), family: "sparse-parity", name: null,
        lineage: { parentRunId: ids.a, forkStep: 64, interventions: [{ path: "train.lr", op: "mul", value: 2 }] },
      },
      { status: "completed", divergedAt: null, wallSeconds: 0.7, paramCount: 321, curves: curvesOf(256, { from: 64 }) },
    );
    await sleep(3);
    ids.d = await store.insertFinished(
      { configId: "cfg-d", config: { anything: [1, 2, { deep: true }] }, family: "modular-addition", name: "delta" },
      { status: "completed", divergedAt: null, wallSeconds: 2, paramCount: null, curves: curvesOf(128) },
    );
  } finally {
    await store.close();
  }
});

interface LsRow {
  id: string; status: string; family: string; name: string | null; parentRunId: string | null; forkStep: number | null;
  steps: number | null; wallSeconds: number | null; final: Record<string, number | null>;
}
const lines = (s: string) => s.trim().split("\n").map((l) => JSON.parse(l) as LsRow);

test("ls --json lists runs newest first, with final values, and filters", async () => {
  const json = "true";
  const rows = lines(await ls({ json }));
  assert.deepEqual(rows.map((r) => r.id), [ids.d, ids.c, ids.b, ids.a]);
  const a = rows.find((r) => r.id === ids.a)!;
  assert.equal(a.status, "completed");
  assert.equal(a.name, "alpha");
  assert.equal(a.steps, 256);
  assert.equal(a.wallSeconds, 1.5);
  assert.equal(a.final.train_loss, 0.7 * Math.exp(-256 / 40) + 1e-4);
  const b = rows.find((r) => r.id === ids.b)!;
  assert.equal(b.final.train_loss, null, "an infinite final loss is null in JSON");
  assert.equal(b.final.test_acc, null, "NaN is null");
  const c = rows.find((r) => r.id === ids.c)!;
  assert.equal(c.parentRunId, ids.a);
  assert.equal(c.forkStep, 64);
  assert.deepEqual(lines(await ls({ json, status: "diverged" })).map((r) => r.id), [ids.b]);
  assert.deepEqual(lines(await ls({ json, family: "modular-addition" })).map((r) => r.id), [ids.d]);
  assert.deepEqual(lines(await ls({ json, sweep: "s-one" })).map((r) => r.id), [ids.b]);
  assert.deepEqual(lines(await ls({ json, limit: "2", status: "completed,diverged" })).map((r) => r.id), [ids.d, ids.c]);
});

test("ls prints a table with the parent of forks", async () => {
  const [header, ...rest] = (await ls({ limit: "3" })).trimEnd().split("\n");
  assert.match(header!, /^run\s+status\s+family\s+name\s+train_loss\s+test_loss\s+train_acc\s+test_acc\s+steps\s+seconds\s+parent$/);
  assert.equal(rest.length, 4, "3 runs and a note");
  assert.match(rest.find((l) => l.startsWith(ids.c!))!, new RegExp(`${ids.a}@64$`));
  assert.match(rest.at(-1)!, /3 newest of 4 runs/);
});

test("show --json gives the config, summary and curves (NaN as null)", async () => {
  const j = JSON.parse(await output((out) => showCommand(ids.b!, { db, json: true }, out))) as {
    run: { id: string; status: string; divergedAt: number; lineage: unknown; forks: unknown[]; config?: unknown };
    config: { train: { lr: number } };
    summary: { steps: number; divergedAt: number; final: Record<string, number | null>; best: Record<string, { value: number; step: number }> };
    curves: Record<string, { steps: number[]; values: (number | string | null)[] }>;
  };
  assert.equal(j.run.id, ids.b);
  assert.equal(j.run.status, "diverged");
  assert.equal(j.run.config, undefined, "the config is beside the run, not in it");
  assert.equal(j.config.train.lr, 10);
  assert.equal(j.summary.divergedAt, 8);
  assert.equal(j.summary.steps, 8);
  assert.deepEqual(j.summary.best.train_loss, { value: 100 * 0.7 * Math.exp(-4 / 40) + 1e-4, step: 4 });
  assert.deepEqual(j.curves.train_loss!.steps, [0, 1, 2, 4, 8]);
  assert.equal(j.curves.train_loss!.values.at(-1), "Infinity");
  assert.equal(j.curves.test_acc!.values.at(-1), null);
  assert.deepEqual(Object.keys(j.curves).sort(), ["grad_norm", "lr", "test_acc", "test_loss", "train_acc", "train_loss"]);

  const parent = JSON.parse(await output((out) => showCommand(ids.a!, { db, json: true }, out))) as { run: { forks: { id: string; forkStep: number }[] } };
  assert.deepEqual(parent.run.forks.map((f) => [f.id, f.forkStep]), [[ids.c, 64]]);
});

test("show draws the curves with a legend, and the config and lineage", async () => {
  const r = { out: await output((out) => showCommand(ids.c!, { db, color: false, width: 60 }, out)) };
  assert.match(r.out, new RegExp(`forked\\s+from ${ids.a} at step 64: train.lr x2`));
  assert.match(r.out, /config:\n {2}task: \{family: sparse-parity, n: 12, k: 2\}/);
  assert.match(r.out, /loss \(log scale\) +─── train_loss +━━━ test_loss/);
  assert.match(r.out, /accuracy +─── train_acc +━━━ test_acc/);
  assert.match(r.out, /\(step, log scale\)/);
  assert.doesNotMatch(r.out, /\x1b\[/, "no colour");
  const colored = await output((out) => showCommand(ids.c!, { db, color: true, width: 60 }, out));
  assert.match(colored, /\x1b\[34m─/, "colour on request");
  assert.ok(r.out.split("\n").filter((l) => l.includes("┤")).length >= 12, "the y axis");
});

test("the terminal chart takes partial and non-finite series", () => {
  const chart = terminalChart(
    [
      { label: "full", steps: [0, 1, 10, 100, 1000], values: [1, 0.5, 0.1, 0.01, 0.001] },
      { label: "late", steps: [100, 300, 1000], values: [0.02, NaN, 0.005] },
      { label: "empty", steps: [1, 2], values: [NaN, -1] },
    ],
    { title: "t", log: true, width: 40, height: 6 },
  )!;
  assert.match(chart.split("\n")[0]!, /^t +─── full +━━━ late$/, "series without points are left out of the legend");
  assert.ok(chart.includes("━"), "the second series is drawn in its own style");
  assert.equal(terminalChart([{ label: "x", steps: [1], values: [NaN] }], { title: "t" }), null);
});

test("plot writes an SVG with axis titles and a PNG", async () => {
  const svg = join(dir, "runs.svg"), png = join(dir, "runs.png");
  assert.equal(await output((out) => plotCommand([ids.a!, ids.b!, ids.c!], { db, out: svg }, out)), `wrote ${svg}\n`);
  await output((out) => plotCommand([ids.a!], { db, out: png, metrics: "train_loss,grad_norm" }, out));
  const text = readFileSync(svg, "utf8");
  assert.match(text, /^<svg/);
  for (const title of ["step (log scale)", "loss (log scale)", "accuracy", "loss metric", ids.a!, "alpha"]) {
    assert.ok(text.includes(title), `the SVG shows '${title}'`);
  }
  const bytes = readFileSync(png);
  assert.deepEqual([...bytes.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  assert.ok(statSync(png).size > 10_000);
});

test("mistakes are usage errors", async () => {
  const mistakes: [() => Promise<void>, RegExp][] = [
    [() => lsCommand({ db, status: "done" }), /^--status must be one or more of /],
    [() => lsCommand({ db, limit: "x" }), /^--limit must be a non-negative integer/],
    [() => showCommand("r-none", { db }), /^no run 'r-none' in /],
    [() => plotCommand([ids.a!], { db }), /^plot needs --out/],
    [() => plotCommand([ids.a!], { db, out: join(dir, "y.svg"), metrics: "nope" }), /^nothing to plot: .* \(they have grad_norm, lr, /],
  ];
  for (const [fn, message] of mistakes) await assert.rejects(fn, (e: Error) => e instanceof UsageError && message.test(e.message));
});

test("the commands run from the command line; mistakes are one line on stderr with exit code 2", async () => {
  const cases: [string[], RegExp][] = [
    [["show", "r-none", "--db", db], /^toyworld: no run 'r-none' in /],
    [["ls", "--db", join(dir, "missing.db")], /^toyworld: no store at .*missing\.db/],
    [["plot", ids.a!, "--db", db, "--out", join(dir, "x.pdf")], /^toyworld: --out must end in \.png or \.svg/],
  ];
  const [ok, ...results] = await Promise.all([run("ls", "--db", db, "--json"), ...cases.map(([args]) => run(...args))]);
  assert.equal(ok!.code, 0, ok!.err);
  assert.equal(lines(ok!.out).length, 4);
  results.forEach((r, k) => {
    assert.equal(r.code, 2, `${cases[k]![0].join(" ")}: ${r.err}`);
    assert.match(r.err, cases[k]![1]);
    assert.equal(r.err.trimEnd().split("\n").length, 1, r.err);
    assert.equal(r.out, "");
  });
});
