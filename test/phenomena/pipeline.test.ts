// The phenomena pipeline on a temporary SQLite store with synthetic curves:
// detection stores findings once however often it runs (per run, per sweep, over
// the whole store), only finished runs and complete sweeps are looked at, older
// detector versions stay but are hidden by default, and the interest ranking and
// detector statistics follow people's verdicts.

import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { RunView } from "../../src/phenomena/detector.js";
import { rank, rankStored, predictionSurprise, rarity } from "../../src/phenomena/interest.js";
import { detectFinished, detectRuns, detectStore, detectSweep, summaryLine } from "../../src/phenomena/pipeline.js";
import { detectorStats, storeStats } from "../../src/phenomena/stats.js";
import { openStore, type FindingRecord, type NewRun, type RunResult, type Store } from "../../src/store/index.js";
import { acc, fall, power, run, stepsUpTo } from "./synthetic.js";

const dir = mkdtempSync(join(tmpdir(), "toyworld-pipeline-"));
let store: Store;
before(async () => {
  store = await openStore(join(dir, "store.db"));
});
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

let n = 0;
/** Stores a synthetic run as a finished run; returns its id. */
async function put(view: RunView, extra: Partial<NewRun> = {}): Promise<string> {
  const result: RunResult = {
    status: view.status as "completed" | "diverged", divergedAt: view.divergedAt, wallSeconds: 1, paramCount: 100,
    curves: Object.fromEntries(Object.entries(view.curves).map(([m, c]) => [m, { steps: Int32Array.from(c.steps), values: Float64Array.from(c.values) }])),
  };
  const config = view.config ?? { task: { family: "synthetic" }, train: { seed: ++n } };
  return store.insertFinished({ configId: `cfg-${++n}`, config, family: "synthetic", ...extra }, result);
}

const grokking = () => run({ metrics: { train_acc: acc(100), test_acc: acc(10_000), train_loss: fall(100), test_loss: fall(10_000) } });
const memorization = () => run({ metrics: { train_acc: acc(100), test_acc: () => 0.1 } });
const diverged = () => run({ status: "diverged", divergedAt: 500, steps: stepsUpTo(500), metrics: { train_loss: power() } });

let ids: { grok: string; mem: string; div: string };

test("detectRuns stores each finding once, however often it runs", async () => {
  ids = { grok: await put(grokking()), mem: await put(memorization()), div: await put(diverged()) };
  const [queued] = await store.enqueue([{ configId: "q", config: {}, family: "synthetic" }]);
  const first = await detectRuns(store, [ids.grok, ids.mem, ids.div, queued!, "rnosuchrun"]);
  assert.equal(first.runs, 3, "queued and unknown runs are skipped");
  const kindsOf = (runId: string) => first.findings.filter((f) => f.runIds.includes(runId)).map((f) => f.kind);
  assert.ok(kindsOf(ids.grok).includes("grokking"));
  assert.ok(kindsOf(ids.mem).includes("memorization"));
  assert.ok(kindsOf(ids.div).includes("divergence"));
  assert.equal(first.inserted, first.findings.length);

  const again = await detectRuns(store, [ids.div, ids.mem, ids.grok]);
  assert.equal(again.inserted, 0);
  assert.deepEqual(again.findings.map((f) => f.id).sort(), first.findings.map((f) => f.id).sort());
  const stored = await store.listFindings();
  assert.equal(stored.length, first.findings.length);
  assert.deepEqual((await store.listFindings({ runId: ids.grok })).map((f) => f.kind).sort(), kindsOf(ids.grok).sort());

  const onlyGrokking = await detectRuns(store, [ids.grok, ids.mem], { kinds: ["grokking"] });
  assert.deepEqual([...new Set(onlyGrokking.findings.map((f) => f.kind))], ["grokking"]);
  assert.equal(onlyGrokking.inserted, 0);
});

test("a sweep is detected once complete; detectStore re-runs everything without duplicates", async () => {
  const sweepId = await store.createSweep("lr", {});
  const lrs = [0.001, 0.003, 0.01, 0.03, 0.1];
  const finals = [1, 0.3, 0.05, 0.4, 1.5]; // a clear best learning rate
  const sweepRuns: string[] = [];
  for (let i = 0; i < lrs.length; i++) {
    const view = run({ metrics: { train_loss: fall(100, 2, finals[i]! / 2), test_loss: fall(100, 2, finals[i]!) }, config: { task: { family: "synthetic" }, train: { lr: lrs[i] } } });
    sweepRuns.push(await put(view, { sweepId }));
  }
  const [pending] = await store.enqueue([{ configId: "pending", config: {}, family: "synthetic", sweepId }]);
  const partial = await detectFinished(store, sweepRuns);
  assert.equal(partial.sweeps, 0, "a sweep with a queued run is not complete");
  const claimed = await store.claim("test", 10, 60_000);
  assert.ok(claimed.some((r) => r.id === pending));
  for (const r of claimed) await store.fail(r.id, "test", "gave up");

  const complete = await detectFinished(store, sweepRuns.slice(0, 1));
  assert.equal(complete.sweeps, 1);
  const sweepFindings = complete.findings.filter((f) => f.coordinate !== null);
  assert.ok(sweepFindings.some((f) => f.kind === "best-value" && f.coordinate!.path === "train.lr" && f.coordinate!.value === 0.01), JSON.stringify(sweepFindings.map((f) => [f.kind, f.coordinate])));
  assert.ok((await store.listFindings({ sweepId })).length >= sweepFindings.length);
  assert.equal((await detectSweep(store, sweepId)).inserted, 0);

  const before = (await store.listFindings()).length;
  let batches = 0;
  const all = await detectStore(store, { onBatch: () => batches++ });
  assert.equal(all.inserted, 0);
  assert.equal(all.runs, 3 + lrs.length);
  assert.equal(all.sweeps, 1);
  assert.equal(batches, 1);
  assert.equal((await store.listFindings()).length, before);

  // a fresh store holding the same runs gets the same findings from detectStore alone
  const other = await openStore(join(dir, "other.db"));
  try {
    const views = await store.getCurves([...sweepRuns, ids.grok]);
    for (const id of [...sweepRuns, ids.grok]) {
      const r = (await store.getRun(id))!;
      await other.insertFinished({ configId: r.configId, config: r.config, family: r.family, sweepId: "s-copy" },
        { status: "completed", divergedAt: null, wallSeconds: 1, paramCount: 100, curves: views.get(id)! });
    }
    const fresh = await detectStore(other);
    assert.ok(fresh.inserted > 0);
    assert.deepEqual(new Set(fresh.findings.map((f) => f.kind)), new Set([...complete.findings, ...(await store.listFindings({ runId: ids.grok }))].map((f) => f.kind)));
  } finally {
    await other.close();
  }
});

test("older detector versions stay stored but listings show the newest", async () => {
  const current = (await store.listFindings({ runId: ids.mem, kind: "memorization" }))[0]!;
  const old = { ...current, detectorVersion: 0, dedupeKey: `${current.dedupeKey}-v0`, score: 0.99 };
  const { ids: [oldId] } = await store.putFindings([old]);
  await store.addAnnotation({ findingId: oldId!, verdict: "reject" });
  assert.ok((await store.listFindings({ kind: "memorization" })).some((f) => f.id === oldId));
  assert.ok(!(await store.listFindings({ kind: "memorization", latestVersions: true })).some((f) => f.id === oldId));
  const ranked = await rankStored(store, { latestVersions: true });
  assert.ok(!ranked.some((r) => r.finding.id === oldId));
  // maxPerKind keeps the most interesting of each kind, in rank order
  await store.putFindings([{ ...current, dedupeKey: `${current.dedupeKey}-twin`, score: current.score / 2 }]);
  const withTwin = await rankStored(store, { latestVersions: true });
  const capped = await rankStored(store, { latestVersions: true }, { maxPerKind: 1 });
  const kinds = capped.map((r) => r.finding.kind);
  assert.equal(new Set(kinds).size, kinds.length, "one finding per kind");
  assert.ok(capped.length < withTwin.length, "memorization has two findings here");
  assert.deepEqual(new Set(kinds), new Set(withTwin.map((r) => r.finding.kind)));
  assert.deepEqual(capped.map((r) => r.finding.id), withTwin.filter((r, i) => withTwin.findIndex((q) => q.finding.kind === r.finding.kind) === i).map((r) => r.finding.id));
  const stats = await storeStats(store);
  const v0 = stats.find((s) => s.detector === "memorization" && s.version === 0)!;
  assert.deepEqual([v0.findings, v0.annotated, v0.rejected, v0.precision], [1, 1, 1, 0]);
});

function finding(id: string, kind: string, score: number, runIds = [`r-${id}`]): FindingRecord {
  return {
    id, kind, runIds, score, interval: null, coordinate: null, evidence: {}, explanation: "", detector: kind, detectorVersion: 1,
    dedupeKey: id, createdAt: 0,
  };
}

test("interest: rare kinds and strong scores first, rejected kinds demoted, surprise counts", () => {
  const fs = [finding("a", "common", 0.6), finding("b", "common", 0.6), finding("c", "common", 0.6), finding("d", "rare", 0.6), finding("e", "common", 0.9)];
  const kindCounts = new Map([["common", 40], ["rare", 1]]);
  assert.ok(rarity("rare", kindCounts) > 0.9 && rarity("common", kindCounts) < 0.1);
  const ctx = { kindCounts, annotations: [], annotated: new Map(fs.map((f) => [f.id, f])), surprise: new Map<string, number>() };
  const order = rank(fs, ctx).map((r) => r.finding.id);
  assert.equal(order[0], "d", "the rare kind first");
  assert.equal(order[1], "e", "then the strongest score");

  const rejections = ["a", "b"].map((findingId, k) => ({ id: `x${k}`, findingId, verdict: "reject" as const, note: null, tags: [], createdAt: k }));
  const demoted = rank(fs, { ...ctx, kindCounts: new Map([["common", 3], ["rare", 3]]), annotations: rejections });
  assert.equal(demoted.at(-1)!.finding.id === "a" || demoted.at(-1)!.finding.id === "b", true, "rejected findings last");
  const d = demoted.find((r) => r.finding.id === "d")!, c = demoted.find((r) => r.finding.id === "c")!;
  assert.ok(c.rejectRate > 0 && d.rejectRate === 0);
  assert.ok(d.interest > c.interest, "a kind people rejected ranks below an equally strong, equally rare one");

  const surprised = rank(fs, { ...ctx, surprise: new Map([["r-c", 3]]) });
  assert.ok(surprised.find((r) => r.finding.id === "c")!.interest > surprised.find((r) => r.finding.id === "b")!.interest);
  assert.equal(surprised.find((r) => r.finding.id === "b")!.surprise, 0);
});

test("interest: findings tied in score are ordered by content, not by their random ids", () => {
  const tied = (id: string, kind: string, explanation: string) => ({ ...finding(id, kind, 0.5), explanation });
  const fs = [tied("z1", "spike", "at step 40"), tied("a9", "spike", "at step 70"), tied("m5", "plateau", "at step 10")];
  const ctx = { kindCounts: new Map([["spike", 5], ["plateau", 5]]), annotations: [], annotated: new Map(), surprise: new Map<string, number>() };
  const order = (ids: string[]) => rank(fs.map((f, k) => ({ ...f, id: ids[k]! })), ctx).map((r) => r.finding.explanation);
  const expected = ["at step 10", "at step 40", "at step 70"];
  assert.deepEqual(order(["z1", "a9", "m5"]), expected);
  assert.deepEqual(order(["a1", "z9", "b5"]), expected, "relabelled ids keep the order");
});

test("surprise reads the final predicted log test loss (arrays or serialized typed arrays)", () => {
  assert.equal(predictionSurprise({ curves: { test_loss: { mean: [0, -1], std: [1, 0.5] } } }, -2), 2);
  assert.equal(predictionSurprise({ curves: { test_loss: { mean: { 0: 0, 1: -1 }, std: { 0: 1, 1: 0.25 } } } }, -0.5), 2);
  assert.equal(predictionSurprise({ curves: { test_loss: { mean: [-1], std: [0] } } }, -2), null);
  assert.equal(predictionSurprise({ events: {} }, -2), null);
});

test("detector statistics: precision by detector version from the latest verdicts", () => {
  const fs = [finding("a", "grokking", 0.5), finding("b", "grokking", 0.5), finding("c", "grokking", 0.5), finding("d", "loss-spike", 0.5)];
  const day = Date.UTC(2026, 0, 2);
  const annotations = [
    { id: "1", findingId: "a", verdict: "reject" as const, note: null, tags: [], createdAt: day },
    { id: "2", findingId: "a", verdict: "confirm" as const, note: null, tags: [], createdAt: day + 1 }, // changed their mind
    { id: "3", findingId: "b", verdict: "reject" as const, note: null, tags: [], createdAt: day + 86_400_000 },
  ];
  const stats = detectorStats(fs, annotations);
  assert.deepEqual(stats.map((s) => [s.detector, s.findings, s.annotated, s.confirmed, s.rejected, s.precision]), [
    ["grokking", 3, 2, 1, 1, 0.5],
    ["loss-spike", 1, 0, 0, 0, null],
  ]);
  assert.deepEqual(stats[0]!.byDay.map((d) => [d.day, d.precision]), [["2026-01-02", 1], ["2026-01-03", 0]]);
});

test("the summary line names kinds, scores and runs", () => {
  assert.equal(summaryLine([]), "no findings");
  const line = summaryLine([finding("a", "grokking", 0.82, ["r123456789abc"]), finding("b", "cliff", 0.5, ["r1", "r2"])]);
  assert.equal(line, "2 findings: grokking (0.82) run r123456789, cliff (0.50) 2 runs");
});
