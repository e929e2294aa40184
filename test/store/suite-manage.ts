// The cancel, requeue and delete part of the store suite: cancelRuns ends queued and
// running runs for good (nothing claims, finishes, fails or requeues them after), also
// when it races claimers on other connections; requeueRuns puts cancelled and failed
// runs back in the queue on purpose, and they then train like new ones; finish stores checkpoints with the result
// only while the run is held; deleteRuns removes a run with everything stored for it
// (and sweeps it leaves empty), counts the same as a dry run, and refuses running
// runs and parents without their forks, deleting nothing.

import assert from "node:assert/strict";
import { test } from "node:test";
import { DeleteRefused, type FindingData } from "../../src/store/index.js";
import { claimAll, curves, drain, newRun, result, uniqueFamily, type SuiteContext } from "./fixtures.js";

const bytes = (n: number, fill: number) => new Uint8Array(n).fill(fill);

function findingOf(kind: string, runIds: string[]): FindingData {
  return {
    kind, runIds, score: 0.5, interval: null, coordinate: null, evidence: {}, explanation: `${kind} in ${runIds.join(", ")}`,
    detector: kind, detectorVersion: 1, dedupeKey: `${kind}@1:${runIds.join(",")}`,
  };
}

export function manageTests(ctx: SuiteContext): void {
  test("cancelRuns ends queued and running runs; nothing claims, finishes, fails or requeues them after", async () => {
    const s = ctx.store();
    await drain(s);
    const family = uniqueFamily("cancel");
    const [queued, untouched, running, done, failed] = await s.enqueue([
      newRun(family), newRun(family), newRun(family, { priority: 10 }), newRun(family, { priority: 9 }), newRun(family, { priority: 8 }),
    ]);
    assert.deepEqual((await s.claim("w:1", 3, 60_000)).map((r) => r.id), [running, done, failed]);
    assert.equal(await s.finish(done!, "w:1", result(curves(["train_loss"], 5))), true);
    assert.equal(await s.fail(failed!, "w:1", "boom"), true);

    const before = Date.now();
    assert.deepEqual(await s.cancelRuns([running!, done!, "rnosuchrun000000", queued!, failed!, running!]), [running, queued], "input order, once each");
    const q = (await s.getRun(queued!))!, r = (await s.getRun(running!))!;
    assert.deepEqual([q.status, q.worker, q.leaseUntil], ["cancelled", null, null]);
    assert.deepEqual([r.status, r.worker, r.leaseUntil], ["cancelled", "w:1", null], "the worker stays for the record");
    for (const x of [q, r]) assert.ok(x.finishedAt! >= before && x.finishedAt! <= Date.now());
    assert.equal((await s.getRun(done!))!.status, "completed");
    assert.deepEqual([(await s.getRun(failed!))!.status, (await s.getRun(failed!))!.error], ["failed", "boom"]);

    assert.deepEqual((await s.claim("w:2", 10, 60_000)).map((x) => x.id), [untouched], "cancelled runs are never claimed");
    const late = result(curves(["train_loss", "test_loss"], 8), { checkpoints: [{ step: 4, data: bytes(16, 7) }] });
    assert.equal(await s.finish(running!, "w:1", late), false, "the worker's result is refused");
    assert.equal((await s.getCurves([running!])).has(running!), false);
    assert.deepEqual(await s.listCheckpointSteps(running!), [], "and its checkpoints with it");
    assert.equal(await s.fail(running!, "w:1", "late"), false);
    assert.deepEqual(await s.heartbeat("w:1", [running!], 60_000), [], "the worker's heartbeat says it lost the run");
    assert.equal(await s.requeueStale(Number.MAX_SAFE_INTEGER, ["w:1"]), 1, "only w:2's running run goes back");
    assert.equal((await s.getRun(running!))!.status, "cancelled");
    assert.deepEqual(await s.cancelRuns([running!, queued!]), [], "cancelling twice changes nothing");
    assert.deepEqual(await s.cancelRuns([]), []);
    const counts = await s.countRuns({ family });
    assert.deepEqual([counts.cancelled, counts.queued, counts.completed, counts.failed], [2, 1, 1, 1]);
    assert.deepEqual((await s.listRuns({ family, status: "cancelled" })).map((x) => x.id).sort(), [queued, running].sort());
  });

  test("requeueRuns puts cancelled and failed runs back in the queue; a requeued run trains and stores like a new one", async () => {
    const s = ctx.store();
    await drain(s);
    const family = uniqueFamily("requeue");
    const [cancelledQueued, cancelledRunning, failed, done, queued] = await s.enqueue([
      newRun(family, { priority: 1 }), newRun(family, { priority: 10 }), newRun(family, { priority: 9 }), newRun(family, { priority: 8 }), newRun(family),
    ]);
    assert.deepEqual((await s.claim("w:1", 3, 60_000)).map((r) => r.id), [cancelledRunning, failed, done]);
    assert.equal(await s.fail(failed!, "w:1", "boom"), true);
    assert.equal(await s.finish(done!, "w:1", result(curves(["train_loss"], 4))), true);
    assert.deepEqual((await s.cancelRuns([cancelledQueued!, cancelledRunning!])).sort(), [cancelledQueued, cancelledRunning].sort());

    assert.deepEqual(await s.requeueRuns([done!, failed!, "rnosuchrun000000", queued!, cancelledRunning!, cancelledQueued!, failed!]),
      [failed, cancelledRunning, cancelledQueued], "input order, once each; completed, queued and unknown runs left alone");
    for (const id of [failed!, cancelledRunning!, cancelledQueued!]) {
      const r = (await s.getRun(id))!;
      assert.deepEqual([r.status, r.error, r.startedAt, r.finishedAt, r.leaseUntil], ["queued", null, null, null, null], id);
    }
    assert.equal((await s.getRun(failed!))!.attempts, 1, "a run that had started counts an attempt");
    assert.equal((await s.getRun(cancelledRunning!))!.attempts, 1);
    assert.equal((await s.getRun(cancelledQueued!))!.attempts, 0, "one that never started does not");
    assert.equal((await s.getRun(cancelledRunning!))!.priority, 10, "priority is kept");
    assert.equal((await s.getRun(done!))!.status, "completed");
    assert.deepEqual(await s.requeueRuns([failed!]), [], "a queued run is not requeued again");
    assert.deepEqual(await s.requeueRuns([]), []);

    assert.deepEqual(await s.heartbeat("w:1", [cancelledRunning!], 60_000), [], "the old worker does not get the run back");
    assert.equal(await s.finish(cancelledRunning!, "w:1", result(curves(["train_loss"], 3))), false, "nor can it store its result");
    assert.deepEqual((await s.claim("w:2", 10, 60_000)).map((r) => r.id), [cancelledRunning, failed, cancelledQueued, queued], "claimed like any queued run");
    assert.equal(await s.finish(failed!, "w:2", result(curves(["train_loss", "test_loss"], 6))), true);
    const again = (await s.getRun(failed!))!;
    assert.deepEqual([again.status, again.error, again.worker], ["completed", null, "w:2"]);
    assert.deepEqual(Object.keys((await s.getCurves([failed!])).get(failed!)!).sort(), ["test_loss", "train_loss"]);
  });

  test("finish and insertFinished store a run's checkpoints with its result", async () => {
    const s = ctx.store();
    await drain(s);
    const [id] = await s.enqueue([newRun(uniqueFamily("ckpt"))]);
    await s.claim("w:3", 1, 60_000);
    const checkpoints = [{ step: 20, data: bytes(40, 2) }, { step: 10, data: bytes(24, 1) }];
    assert.equal(await s.finish(id!, "w:3", result(curves(["train_loss"], 4), { checkpoints })), true);
    assert.deepEqual(await s.listCheckpointSteps(id!), [10, 20]);
    assert.deepEqual((await s.getCheckpoint(id!, 20))!.data, bytes(40, 2));
    const imported = await s.insertFinished(newRun(uniqueFamily("ckpt")), result({}, { checkpoints: [{ step: 3, data: bytes(8, 3) }] }));
    assert.deepEqual((await s.getCheckpoint(imported, 3))!.data, bytes(8, 3));
  });

  test("cancelRuns racing claimers on other connections: a claimed run is cancelled as it runs and never stored", async () => {
    const s1 = ctx.store();
    const [s2, s3] = [await ctx.open(), await ctx.open()];
    try {
      await drain(s1);
      const family = uniqueFamily("cancel-race");
      const ids = await s1.enqueue(Array.from({ length: 200 }, () => newRun(family)));
      // claim takes the oldest first, the canceller the newest: they meet in the middle
      const cancelling = (async () => {
        const got: string[] = [];
        const newestFirst = [...ids].reverse();
        for (let i = 0; i < newestFirst.length; i += 10) got.push(...(await s3.cancelRuns(newestFirst.slice(i, i + 10))));
        return got;
      })();
      const [a, b, cancelled] = await Promise.all([claimAll(s1, "a:1", 3), claimAll(s2, "b:1", 4), cancelling]);
      assert.deepEqual([...cancelled].sort(), [...ids].sort(), "every run was cancelled exactly once");
      const claimed = [...a, ...b];
      assert.equal(new Set(claimed.map((r) => r.id)).size, claimed.length, "no run was claimed twice");
      assert.ok(claimed.length > 0, "some runs were claimed before they were cancelled");
      assert.deepEqual(await s1.countRuns({ family }), { queued: 0, running: 0, completed: 0, diverged: 0, failed: 0, cancelled: 200 },
        "no claim brought a cancelled run back");
      for (const r of claimed) assert.equal(await s2.finish(r.id, r.worker!, result(curves(["train_loss"], 3))), false);
      assert.equal((await s1.getCurves(claimed.map((r) => r.id))).size, 0, "no result of a cancelled run was stored");
    } finally {
      await s2.close();
      await s3.close();
    }
  });

  test("deleteRuns removes runs with curves, checkpoints, findings, annotations, predictions and emptied sweeps", async () => {
    const s = ctx.store();
    const family = uniqueFamily("delete");
    const [sweepA, sweepB] = [await s.createSweep("a", {}), await s.createSweep("b", {})];
    const finished = (sweepId: string | null, metrics: string[], extra = {}) =>
      s.insertFinished(newRun(family, { sweepId }), result(curves(metrics, 6), extra));
    const a1 = await finished(sweepA, ["train_loss", "test_loss"], { checkpoints: [{ step: 3, data: bytes(4, 1) }] });
    const a2 = await finished(sweepA, ["train_loss"]);
    const b1 = await finished(sweepB, ["train_loss"]);
    const b2 = await finished(sweepB, ["train_loss"]);
    const keep = await finished(null, ["train_loss"], { checkpoints: [{ step: 3, data: bytes(4, 2) }] });
    const kind = uniqueFamily("kind");
    const { ids: [f1, f2, f3, f4] } = await s.putFindings([findingOf(kind, [a1]), findingOf(kind, [a2, b1]), findingOf(kind, [keep]), findingOf(kind, [b2])]);
    for (const f of [f1, f1, f2, f3]) await s.addAnnotation({ findingId: f!, verdict: "confirm" });
    const wm = uniqueFamily("wm");
    await s.putWorldModel({ id: wm, params: bytes(2, 0), meta: {}, evaluation: null });
    const [, keptPrediction, configPrediction] = await s.putPredictions([
      { runId: a1, configId: null, worldModelId: wm, predicted: 1 },
      { runId: keep, configId: null, worldModelId: wm, predicted: 2 },
      { runId: null, configId: "cfg-only", worldModelId: wm, predicted: 3 },
    ]);

    const asked = [b1, "rnosuchrun000000", a1, a2, a1];
    const expected = {
      runIds: [b1, a1, a2], curves: 4, checkpoints: 1, findingIds: [f1!, f2!].sort(), annotations: 3, predictions: 1, sweepIds: [sweepA],
    };
    assert.deepEqual(await s.deleteRuns(asked, { dryRun: true }), expected);
    assert.equal((await s.listRuns({ family })).length, 5, "a dry run deletes nothing");
    assert.equal((await s.listFindings({ kind })).length, 4);
    assert.ok(await s.getSweep(sweepA));

    assert.deepEqual(await s.deleteRuns(asked), expected);
    for (const id of [a1, a2, b1]) assert.equal(await s.getRun(id), null);
    assert.equal((await s.getCurves([a1, a2, b1])).size, 0);
    assert.deepEqual(await s.listCheckpointSteps(a1), []);
    assert.deepEqual((await s.listFindings({ kind })).map((f) => f.id).sort(), [f3!, f4!].sort(), "a finding goes when any of its runs goes");
    assert.deepEqual((await s.listAnnotations({ findingIds: [f1!, f2!, f3!] })).map((x) => x.findingId), [f3]);
    assert.deepEqual((await s.listPredictions({ worldModelId: wm })).map((p) => p.id).sort(), [keptPrediction!, configPrediction!].sort());
    assert.equal(await s.getSweep(sweepA), null, "a sweep left without runs goes");
    assert.equal((await s.getSweep(sweepB))!.name, "b", "a sweep that keeps a run stays");
    assert.deepEqual((await s.listRuns({ family })).map((r) => r.id).sort(), [b2, keep].sort());
    assert.equal((await s.getCurves([keep])).has(keep), true);
    assert.deepEqual(await s.listCheckpointSteps(keep), [3]);

    const none = { runIds: [], curves: 0, checkpoints: 0, findingIds: [], annotations: 0, predictions: 0, sweepIds: [] };
    assert.deepEqual(await s.deleteRuns([]), none);
    assert.deepEqual(await s.deleteRuns([a1]), none, "deleting again deletes nothing");
  });

  test("deleteRuns refuses a running run and a parent without its forks, and deletes nothing", async () => {
    const s = ctx.store();
    await drain(s);
    const family = uniqueFamily("refuse");
    const parent = await s.insertFinished(newRun(family), result(curves(["train_loss"], 4)));
    const [fork] = await s.enqueue([newRun(family, { lineage: { parentRunId: parent, forkStep: 2, interventions: [] } })]);
    const refused = (running: string[], orphanedForks: { parent: string; fork: string }[]) => (e: unknown) => {
      assert.ok(e instanceof DeleteRefused, String(e));
      assert.deepEqual([e.running, e.orphanedForks], [running, orphanedForks]);
      return true;
    };
    for (const dryRun of [true, false]) await assert.rejects(s.deleteRuns([parent], { dryRun }), refused([], [{ parent, fork: fork! }]));
    await s.claim("w:4", 1, 60_000);
    await assert.rejects(s.deleteRuns([parent, fork!]), refused([fork!], []));
    assert.deepEqual((await s.listRuns({ family })).map((r) => r.status).sort(), ["completed", "running"]);
    assert.equal((await s.getCurves([parent])).has(parent), true, "nothing was deleted");

    assert.deepEqual(await s.cancelRuns([fork!]), [fork]);
    assert.deepEqual((await s.deleteRuns([parent, fork!])).runIds, [parent, fork]);
    assert.deepEqual(await s.listRuns({ family }), []);
  });
}
