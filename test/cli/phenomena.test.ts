// `toyworld detect | phenomena | phenomena stats | annotate` on a store of
// synthetic runs: detection twice stores nothing new, the ranked list and its
// JSON, verdicts by id prefix, precision per detector, and mistakes as
// UsageErrors. A few calls run as a user runs them (a fresh node each), to see
// the exit codes; the rest stay in this process (a node per call costs more than
// the checks). Last, a tiny real sweep: its runs and the complete sweep go through
// the detectors when it finishes.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { after, before, test } from "node:test";
import { openStore, type RunResult } from "../../src/store/index.js";
import { annotateCommand, DetectionQueue, detectCommand, phenomenaCommand, statsCommand } from "../../src/cli/phenomena.js";
import { UsageError } from "../../src/cli/errors.js";
import type { RunView } from "../../src/phenomena/detector.js";
import { acc, fall, run } from "../phenomena/synthetic.js";

const cli = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "toyworld-phenomena-"));
const db = join(dir, "runs.db");
after(() => rmSync(dir, { recursive: true, force: true }));

function toyworld(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const env = { ...process.env, NO_COLOR: "1", FORCE_COLOR: "", TOYWORLD_DB: "" };
    execFile(process.execPath, [cli, ...args], { encoding: "utf8", env }, (error, out, err) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, out, err }));
  });
}

/** What `fn` writes to stdout (in this process). */
async function stdout(fn: () => Promise<void>): Promise<string> {
  const write = process.stdout.write;
  let text = "";
  process.stdout.write = ((chunk: string | Uint8Array) => {
    text += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = write;
  }
  return text;
}

const lines = (out: string) => out.trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l) as Record<string, unknown>);
let grokRun = "";

before(async () => {
  const store = await openStore(db);
  const put = (view: RunView, i: number) => {
    const result: RunResult = {
      status: "completed", divergedAt: null, wallSeconds: 1, paramCount: 10,
      curves: Object.fromEntries(Object.entries(view.curves).map(([m, c]) => [m, { steps: Int32Array.from(c.steps), values: Float64Array.from(c.values) }])),
    };
    return store.insertFinished({ configId: `cfg-${i}`, config: { task: { family: "synthetic" }, train: { seed: i } }, family: "synthetic" }, result);
  };
  grokRun = await put(run({ metrics: { train_acc: acc(100), test_acc: acc(10_000), train_loss: fall(100), test_loss: fall(10_000) } }), 1);
  await put(run({ metrics: { train_acc: acc(100), test_acc: () => 0.1 } }), 2);
  await store.close();
});

test("detect stores findings once; phenomena ranks them; annotate and stats record verdicts", async () => {
  assert.match(await stdout(() => phenomenaCommand({ db })), /no findings/);
  const first = await toyworld("detect", "--all", "--json", "--db", db);
  assert.equal(first.code, 0, first.err);
  const d1 = JSON.parse(first.out) as { runs: number; findings: number; inserted: number; byKind: Record<string, number> };
  assert.equal(d1.runs, 2);
  assert.ok(d1.findings >= 2 && d1.inserted === d1.findings);
  assert.ok(d1.byKind.grokking! >= 1 && d1.byKind.memorization! >= 1);
  const second = JSON.parse(await stdout(() => detectCommand({ all: true, json: true, db }))) as typeof d1;
  assert.deepEqual([second.findings, second.inserted], [d1.findings, 0]);
  const one = await stdout(() => detectCommand({ run: [grokRun], kind: ["grokking"], db }));
  assert.match(one, /looked at 1 run and 0 sweeps: 1 finding, 0 new\n1 finding: grokking \(\d\.\d\d\) run /);

  const listed = lines(await stdout(() => phenomenaCommand({ json: true, db })));
  assert.equal(listed.length, d1.findings);
  const interests = listed.map((f) => f.interest as number);
  assert.deepEqual(interests, [...interests].sort((a, b) => b - a), "most interesting first");
  const table = await stdout(() => phenomenaCommand({ kind: ["grokking"], db }));
  assert.match(table, /^id +kind +score +interest +runs +where +verdicts +explanation\n/);
  assert.match(table, /grokking .* steps \d+-\d+/);

  const grok = listed.find((f) => f.kind === "grokking")!, mem = listed.find((f) => f.kind === "memorization")!;
  const confirmed = await toyworld("annotate", (grok.id as string).slice(0, 8), "--confirm", "--note", "clear", "--tag", "textbook", "--tag", "wd", "--json", "--db", db);
  assert.equal(confirmed.code, 0, confirmed.err);
  assert.deepEqual(JSON.parse(confirmed.out), { id: JSON.parse(confirmed.out).id, findingId: grok.id, verdict: "confirm", note: "clear", tags: ["textbook", "wd"] });
  assert.match(await stdout(() => annotateCommand(mem.id as string, { reject: true, db })), /^rejected f/);
  const after = lines(await stdout(() => phenomenaCommand({ run: grokRun, json: true, db })));
  assert.deepEqual(after.find((f) => f.id === grok.id)!.verdicts, { confirm: 1, reject: 0 });

  const stats = await toyworld("phenomena", "stats", "--json", "--db", db);
  assert.equal(stats.code, 0, stats.err);
  const of = (detector: string) => lines(stats.out).find((s) => s.detector === detector)!;
  assert.deepEqual([of("grokking").annotated, of("grokking").precision], [1, 1]);
  assert.deepEqual([of("memorization").annotated, of("memorization").precision], [1, 0]);
  assert.match(await stdout(() => statsCommand({ db })), /grokking v1 +\d+ +1 +1 +0 +100% \(n=1\)/);
});

test("mistakes are usage errors: one line and exit code 2", async () => {
  const listed = lines(await stdout(() => phenomenaCommand({ json: true, db })));
  const id = listed[0]!.id as string;
  const cases: [() => Promise<void>, RegExp][] = [
    [() => annotateCommand(id, { db }), /exactly one of --confirm and --reject/],
    [() => annotateCommand(id, { confirm: true, reject: true, db }), /exactly one/],
    [() => annotateCommand("fnosuchfinding", { confirm: true, db }), /no finding 'fnosuchfinding'/],
    [() => annotateCommand("f", { confirm: true, db }), /more than one finding/],
    [() => annotateCommand("f%", { confirm: true, db }), /not a finding id/],
    [() => detectCommand({ db }), /--all, --run RUN/],
    [() => detectCommand({ all: true, run: ["x"], db }), /give it alone/],
    [() => detectCommand({ run: ["rnosuchrun"], db }), /no run 'rnosuchrun'/],
    [() => detectCommand({ sweep: "snosuchsweep", db }), /no sweep 'snosuchsweep'/],
    [() => detectCommand({ all: true, kind: ["bogus"], db }), /unknown kind 'bogus'/],
    [() => phenomenaCommand({ kind: ["grokking,bogus"], db }), /unknown kind 'bogus'/],
    [() => phenomenaCommand({ limit: "-1", db }), /--limit must be a non-negative integer/],
  ];
  for (const [call, message] of cases) await assert.rejects(stdout(call), (e) => e instanceof UsageError && message.test(e.message), String(message));

  for (const args of [["annotate", id, "--confirm", "--reject", "--db", db], ["detect", "--kind", "bogus", "--all", "--db", db]]) {
    const r = await toyworld(...args);
    assert.equal(r.code, 2, `${args.join(" ")}: ${r.err}`);
    assert.equal(r.err.trim().split("\n").length, 1, args.join(" "));
  }
});

test("a worker's detection queue detects runs in batches as they finish", async () => {
  const store = await openStore(db);
  try {
    const mem = (seed: number) => run({ metrics: { train_acc: acc(100), test_acc: () => 0.1 }, config: { seed } });
    const ids: string[] = [];
    for (const seed of [7, 8, 9]) {
      const view = mem(seed);
      ids.push(await store.insertFinished({ configId: `queue-${seed}`, config: view.config, family: "synthetic" }, {
        status: "completed", divergedAt: null, wallSeconds: 1, paramCount: 10,
        curves: Object.fromEntries(Object.entries(view.curves).map(([m, c]) => [m, { steps: Int32Array.from(c.steps), values: Float64Array.from(c.values) }])),
      }));
    }
    const queue = new DetectionQueue(store, { quiet: true });
    for (const id of ids) queue.add(id);
    await queue.drain();
    for (const id of ids) assert.ok((await store.listFindings({ runId: id, kind: "memorization" })).length === 1, id);
  } finally {
    await store.close();
  }
});

test("a finished sweep goes through the run and sweep detectors", async () => {
  const sweepDb = join(dir, "sweep.db"), file = join(dir, "sweep.yaml");
  writeFileSync(file, `
base:
  task: {family: teacher-student, inputDim: 4, trainSize: 64}
  model: {unit: sequential, children: [{unit: mlp, width: 8, depth: 1}, {unit: readout}]}
  train: {optimizer: adam, lr: 0.001, steps: 60, batchSize: 32, evalPoints: 10}
grid:
  train.lr: [0.0001, 0.001, 0.01, 0.1]
`);
  const r = await toyworld("sweep", file, "--db", sweepDb, "--threads", "1");
  assert.equal(r.code, 0, r.err);
  assert.match(r.err, /(no findings|\d+ findings?: .*) \(with 1 complete sweep\)\n/);
  const store = await openStore(sweepDb);
  try {
    const [sweep] = (await store.listRuns({ limit: 1 })).map((x) => x.sweepId);
    const findings = await store.listFindings({ sweepId: sweep! });
    assert.ok(findings.some((f) => f.coordinate?.path === "train.lr"), JSON.stringify(findings.map((f) => f.kind)));
    const again = JSON.parse((await toyworld("detect", "--sweep", sweep!, "--json", "--db", sweepDb)).out) as { inserted: number };
    assert.equal(again.inserted, 0);
  } finally {
    await store.close();
  }
});
