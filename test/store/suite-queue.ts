// The queue part of the store suite: enqueue, claim order and leases, heartbeat,
// requeueStale, runningWorkers, and the compare-and-set endings finish and fail
// (including a worker that lost its lease), and insertFinished.

import assert from "node:assert/strict";
import { test } from "node:test";
import { assertCurvesEqual, curves, drain, newRun, result, sleep, uniqueFamily, type SuiteContext } from "./fixtures.js";

const METRICS = ["train_loss", "test_loss", "grad_norm"];

export function queueTests(ctx: SuiteContext): void {
  test("enqueue stores queued runs with their config and lineage", async () => {
    const s = ctx.store();
    assert.deepEqual(await s.enqueue([]), []);
    const family = uniqueFamily("enqueue");
    const sweepId = await s.createSweep("grid", { lr: [1, 2] });
    const plain = newRun(family);
    const lineage = { parentRunId: "rparent00000000", forkStep: 40, interventions: [{ path: "train.lr", op: "mul" as const, value: 2 }] };
    const forked = newRun(family, { name: "fork", sweepId, lineage, priority: 5 });
    const before = Date.now();
    const ids = await s.enqueue([plain, forked]);
    assert.equal(ids.length, 2);
    assert.notEqual(ids[0], ids[1]);
    for (const id of ids) assert.match(id, /^r[0-9a-z]{15}$/);

    const a = (await s.getRun(ids[0]!))!;
    assert.deepEqual(
      { ...a, createdAt: 0 },
      {
        id: ids[0], configId: plain.configId, config: plain.config, family, name: null, status: "queued",
        sweepId: null, lineage: null, priority: 0, worker: null, attempts: 0, error: null, divergedAt: null,
        paramCount: null, wallSeconds: null, createdAt: 0, startedAt: null, finishedAt: null, leaseUntil: null,
      },
    );
    assert.ok(a.createdAt >= before && a.createdAt <= Date.now());
    const b = (await s.getRun(ids[1]!))!;
    assert.equal(b.name, "fork");
    assert.equal(b.sweepId, sweepId);
    assert.equal(b.priority, 5);
    assert.deepEqual(b.lineage, lineage);
    assert.equal(await s.getRun("rnosuchrun000000"), null);
  });

  test("claim takes the highest priority, then the oldest, and leases them", async () => {
    const s = ctx.store();
    await drain(s);
    assert.deepEqual(await s.claim("w", 0, 1000), []);
    const family = uniqueFamily("claim");
    const [old] = await s.enqueue([newRun(family)]);
    await sleep(5);
    const [mid] = await s.enqueue([newRun(family)]);
    await sleep(5);
    const [young, urgent] = await s.enqueue([newRun(family), newRun(family, { priority: 2 })]);
    const [low] = await s.enqueue([newRun(family, { priority: -1 })]);

    const before = Date.now();
    const first = await s.claim("host:1", 2, 30_000);
    assert.deepEqual(first.map((r) => r.id), [urgent, old]);
    for (const r of first) {
      assert.equal(r.status, "running");
      assert.equal(r.worker, "host:1");
      assert.ok(r.startedAt! >= before && r.startedAt! <= Date.now());
      assert.equal(r.leaseUntil, r.startedAt! + 30_000);
      assert.deepEqual(await s.getRun(r.id), r);
    }
    const rest = await s.claim("host:2", 10, 30_000);
    assert.deepEqual(rest.map((r) => r.id), [mid, young, low]);
    assert.deepEqual(await s.claim("host:2", 10, 30_000), []);
    assert.deepEqual(await s.runningWorkers(), ["host:1", "host:2"]);
  });

  test("heartbeat extends only the worker's own running runs", async () => {
    const s = ctx.store();
    await drain(s);
    await s.enqueue([newRun(uniqueFamily("hb")), newRun(uniqueFamily("hb"))]);
    const [mine] = await s.claim("me", 1, 1000);
    const [theirs] = await s.claim("them", 1, 1000);
    assert.deepEqual(await s.heartbeat("me", [mine!.id, theirs!.id, mine!.id], 100_000), [mine!.id], "the runs still held");
    const m = (await s.getRun(mine!.id))!, t = (await s.getRun(theirs!.id))!;
    assert.ok(m.leaseUntil! >= Date.now() + 90_000, "own lease extended");
    assert.equal(t.leaseUntil, theirs!.leaseUntil, "another worker's lease untouched");
    assert.deepEqual(await s.heartbeat("me", [], 100_000), []); // nothing to extend: no error
  });

  test("requeueStale puts back lapsed leases and dead workers' runs", async () => {
    const s = ctx.store();
    await drain(s);
    await s.enqueue([1, 2, 3, 4].map(() => newRun(uniqueFamily("stale"))));
    const [lapsed] = await s.claim("host:10", 1, 1000);
    const [dead] = await s.claim("host:11", 1, 600_000);
    const [alive] = await s.claim("host:12", 1, 600_000);
    const now = Date.now() + 5000; // host:10's lease has lapsed by then
    assert.equal(await s.requeueStale(now, ["host:11", "host:99"]), 2);
    for (const r of [lapsed!, dead!]) {
      const back = (await s.getRun(r.id))!;
      assert.equal(back.status, "queued");
      assert.equal(back.attempts, 1);
      assert.equal(back.worker, r.worker, "the worker stays for the record");
      assert.equal(back.leaseUntil, null);
    }
    assert.equal((await s.getRun(alive!.id))!.status, "running");
    assert.equal(await s.requeueStale(now), 0);
    assert.equal(await s.requeueStale(now, []), 0);
    assert.deepEqual(await s.runningWorkers(), ["host:12"]);
    const again = await s.claim("host:13", 10, 60_000);
    assert.equal(again.length, 3);
    assert.equal(again.filter((r) => r.attempts === 1).length, 2);
  });

  test("finish stores the result and the curves once; fail records the error", async () => {
    const s = ctx.store();
    await drain(s);
    const family = uniqueFamily("finish");
    const [a, b, c] = await s.enqueue([newRun(family), newRun(family), newRun(family)]);
    await s.claim("w:1", 3, 60_000);
    const ca = curves(METRICS, 150, 1);
    assert.equal(await s.finish(a!, "w:2", result(ca)), false, "not held by w:2");
    assert.equal(await s.finish(a!, "w:1", result(ca)), true);
    assert.equal(await s.finish(a!, "w:1", result(curves(METRICS, 3, 9))), false, "already finished");
    const ra = (await s.getRun(a!))!;
    assert.equal(ra.status, "completed");
    assert.equal(ra.wallSeconds, 1.25);
    assert.equal(ra.paramCount, 4321);
    assert.equal(ra.leaseUntil, null);
    assert.ok(ra.finishedAt! >= ra.startedAt!);
    assertCurvesEqual((await s.getCurves([a!])).get(a!), ca);

    const cb = curves(["train_loss"], 20, 2);
    assert.equal(await s.finish(b!, "w:1", result(cb, { status: "diverged", divergedAt: 17, paramCount: null })), true);
    const rb = (await s.getRun(b!))!;
    assert.deepEqual([rb.status, rb.divergedAt, rb.paramCount], ["diverged", 17, null]);

    assert.equal(await s.fail(c!, "w:2", "nope"), false);
    assert.equal(await s.fail(c!, "w:1", "out of memory"), true);
    assert.equal(await s.fail(c!, "w:1", "twice"), false);
    assert.equal(await s.finish(c!, "w:1", result(cb)), false, "failed runs stay failed");
    const rc = (await s.getRun(c!))!;
    assert.deepEqual([rc.status, rc.error], ["failed", "out of memory"]);
    assert.equal((await s.getCurves([c!])).has(c!), false);
    assert.equal(await s.fail("rnosuchrun000000", "w:1", "x"), false);
  });

  test("a worker that lost its lease cannot finish: no curves are written", async () => {
    const s = ctx.store();
    await drain(s);
    const [id] = await s.enqueue([newRun(uniqueFamily("lost"))]);
    const [mine] = await s.claim("slow:1", 1, 1);
    await sleep(5);
    assert.equal(await s.requeueStale(Date.now()), 1);
    const [again] = await s.claim("fast:2", 1, 60_000);
    assert.equal(again!.id, mine!.id);
    assert.equal(again!.attempts, 1);

    assert.equal(await s.finish(id!, "slow:1", result(curves(METRICS, 10, 3))), false);
    assert.equal((await s.getCurves([id!])).has(id!), false, "the loser wrote no curves");
    assert.equal(await s.fail(id!, "slow:1", "late"), false);
    assert.deepEqual(await s.heartbeat("slow:1", [id!], 1_000_000), [], "the loser learns it lost the run");
    assert.equal((await s.getRun(id!))!.leaseUntil, again!.leaseUntil, "the loser's heartbeat does nothing");

    const winner = curves(METRICS, 12, 4);
    assert.equal(await s.finish(id!, "fast:2", result(winner)), true);
    assertCurvesEqual((await s.getCurves([id!])).get(id!), winner);
    assert.equal((await s.getRun(id!))!.worker, "fast:2");
  });

  test("insertFinished stores an imported run with its curves", async () => {
    const s = ctx.store();
    const family = uniqueFamily("import");
    const lineage = { parentRunId: "rparent11111111", forkStep: 3, interventions: [] };
    const run = newRun(family, { name: "imported", lineage, priority: 1 });
    const c = curves(METRICS, 40, 5);
    const id = await s.insertFinished(run, result(c, { status: "diverged", divergedAt: 33 }));
    assert.match(id, /^r[0-9a-z]{15}$/);
    const r = (await s.getRun(id))!;
    assert.deepEqual(
      [r.status, r.divergedAt, r.name, r.family, r.configId, r.worker, r.attempts, r.leaseUntil],
      ["diverged", 33, "imported", family, run.configId, null, 0, null],
    );
    assert.deepEqual(r.config, run.config);
    assert.deepEqual(r.lineage, lineage);
    assert.ok(r.finishedAt !== null);
    assertCurvesEqual((await s.getCurves([id])).get(id), c);
    assert.deepEqual(await s.claim("w", 10, 1000).then((rs) => rs.filter((x) => x.id === id)), [], "not queued");
  });
}
