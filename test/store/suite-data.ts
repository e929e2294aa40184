// The read side of the store suite: listRuns and countRuns with every filter,
// getCurves in bulk (more runs than one IN-list holds, metric subsets, exact
// round trip of NaN and friends), checkpoints and sweeps.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { RunStatus } from "../../src/store/index.js";
import { assertCurvesEqual, curves, newRun, result, sleep, uniqueFamily, type SuiteContext } from "./fixtures.js";

export function dataTests(ctx: SuiteContext): void {
  test("listRuns and countRuns filter by status, family, sweep, config, parent and id prefix", async () => {
    const s = ctx.store();
    const family = uniqueFamily("list");
    const sweepId = await s.createSweep(null, {});
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(...(await s.enqueue([newRun(family, { sweepId: i < 3 ? sweepId : null })])));
      await sleep(3);
    }
    const parent = ids[0]!;
    const [child] = await s.enqueue([newRun(family, { configId: "cfg-shared", lineage: { parentRunId: parent, forkStep: 10, interventions: [] } })]);
    ids.push(child!);
    await sleep(3); // newest first: no two runs in the same millisecond
    const imported = await s.insertFinished(newRun(family, { configId: "cfg-shared" }), result({}));
    ids.push(imported);

    const newestFirst = [...ids].reverse();
    assert.deepEqual((await s.listRuns({ family })).map((r) => r.id), newestFirst);
    assert.deepEqual((await s.listRuns({ family, limit: 2 })).map((r) => r.id), newestFirst.slice(0, 2));
    assert.deepEqual((await s.listRuns({ family, limit: 2, offset: 2 })).map((r) => r.id), newestFirst.slice(2, 4));
    assert.deepEqual((await s.listRuns({ family, offset: 5 })).map((r) => r.id), newestFirst.slice(5));
    assert.deepEqual((await s.listRuns({ sweepId })).map((r) => r.id), ids.slice(0, 3).reverse());
    assert.deepEqual((await s.listRuns({ configId: "cfg-shared" })).map((r) => r.id).sort(), [child!, imported].sort());
    assert.deepEqual((await s.listRuns({ parentRunId: parent })).map((r) => r.id), [child]);
    assert.deepEqual((await s.listRuns({ family, status: "completed" })).map((r) => r.id), [imported]);
    assert.deepEqual((await s.listRuns({ family, status: ["completed", "queued"] })).length, 7);
    assert.deepEqual(await s.listRuns({ family, status: [] }), []);
    assert.deepEqual(await s.listRuns({ family: uniqueFamily("none") }), []);
    assert.ok((await s.listRuns()).length >= 7);
    assert.deepEqual((await s.listRuns({ idPrefix: parent!.slice(0, 12).toUpperCase() })).map((r) => r.id), [parent], "id prefix, any case");
    assert.deepEqual(await s.listRuns({ family, idPrefix: "r%" }), [], "LIKE wildcards are literal");

    const zero: Record<RunStatus, number> = { queued: 0, running: 0, completed: 0, diverged: 0, failed: 0, cancelled: 0 };
    assert.deepEqual(await s.countRuns({ family }), { ...zero, queued: 6, completed: 1 });
    assert.deepEqual(await s.countRuns({ family, status: "completed" }), { ...zero, completed: 1 });
    assert.deepEqual(await s.countRuns({ family, status: [] }), zero);
    assert.deepEqual(await s.countRuns({ sweepId, limit: 1 }), { ...zero, queued: 3 }, "limit does not cap counts");
    const all = await s.countRuns();
    assert.ok(all.queued + all.running + all.completed + all.diverged + all.failed >= 7);
  });

  test("getCurves loads many runs at once, exactly, with metric subsets", async () => {
    const s = ctx.store();
    const family = uniqueFamily("curves");
    const metrics = ["train_loss", "test_loss", "lr"];
    const expected = new Map<string, ReturnType<typeof curves>>();
    const ids: string[] = [];
    for (let i = 0; i < 1100; i += 10) {
      // ten at a time: concurrent writers, and quicker on PostgreSQL (a commit each)
      const batch = Array.from({ length: 10 }, (_, k) => curves(metrics, 1 + ((i + k) % 37), i + k + 1));
      const batchIds = await Promise.all(batch.map((c) => s.insertFinished(newRun(family), result(c))));
      batchIds.forEach((id, k) => expected.set(id, batch[k]!));
      ids.push(...batchIds);
    }
    const empty = await s.insertFinished(newRun(family), result({ zero: { steps: new Int32Array(0), values: new Float64Array(0) } }));
    const none = await s.insertFinished(newRun(family), result({}));

    const got = await s.getCurves([...ids, ids[0]!, "rnosuchrun000000", none]);
    assert.equal(got.size, ids.length, "one entry per run with curves; unknown ids and runs without curves absent");
    for (const id of ids) assertCurvesEqual(got.get(id), expected.get(id)!, id);

    const some = await s.getCurves(ids.slice(0, 600), ["lr", "missing"]);
    assert.equal(some.size, 600);
    for (const id of ids.slice(0, 600)) assertCurvesEqual(some.get(id), { lr: expected.get(id)!.lr! }, id);
    assert.equal((await s.getCurves(ids, [])).size, 0);
    assert.equal((await s.getCurves([])).size, 0);
    const zero = (await s.getCurves([empty])).get(empty)!.zero!;
    assert.deepEqual([zero.steps.length, zero.values.length], [0, 0]);
  });

  test("checkpoints are stored, replaced and listed by step", async () => {
    const s = ctx.store();
    const [runId] = await s.enqueue([newRun(uniqueFamily("ckpt"))]);
    const big = new Uint8Array(1 << 20).map((_, i) => (i * 7919) & 255);
    const offset = new Uint8Array(big.buffer, 13, 1000); // a view at an odd offset
    await s.putCheckpoint({ runId: runId!, step: 200, data: big });
    await s.putCheckpoint({ runId: runId!, step: 50, data: offset });
    await s.putCheckpoint({ runId: runId!, step: 0, data: new Uint8Array(0) });
    assert.deepEqual(await s.listCheckpointSteps(runId!), [0, 50, 200]);

    const c200 = (await s.getCheckpoint(runId!, 200))!;
    assert.deepEqual([c200.runId, c200.step], [runId, 200]);
    assert.ok(Buffer.from(c200.data).equals(Buffer.from(big)));
    assert.ok(Buffer.from((await s.getCheckpoint(runId!, 50))!.data).equals(Buffer.from(offset)));
    assert.equal((await s.getCheckpoint(runId!, 0))!.data.length, 0);

    await s.putCheckpoint({ runId: runId!, step: 50, data: Uint8Array.from([1, 2, 3]) });
    assert.deepEqual([...(await s.getCheckpoint(runId!, 50))!.data], [1, 2, 3]);
    assert.deepEqual(await s.listCheckpointSteps(runId!), [0, 50, 200]);
    assert.equal(await s.getCheckpoint(runId!, 51), null);
    assert.deepEqual(await s.listCheckpointSteps("rnosuchrun000000"), []);
    await assert.rejects(s.putCheckpoint({ runId: "rnosuchrun000000", step: 1, data: big }), "a checkpoint needs its run");
  });

  test("sweeps keep their name and spec", async () => {
    const s = ctx.store();
    const spec = { base: { lr: 0.1 }, axes: [{ path: "train.lr", values: [0.1, 0.01] }], note: "ünïcode ✓" };
    const before = Date.now();
    const id = await s.createSweep("lr-grid", spec);
    assert.match(id, /^s[0-9a-z]{15}$/);
    const sweep = (await s.getSweep(id))!;
    assert.deepEqual({ ...sweep, createdAt: 0 }, { id, name: "lr-grid", spec, createdAt: 0 });
    assert.ok(sweep.createdAt >= before);
    const anonymous = await s.createSweep(null, null);
    assert.deepEqual({ ...(await s.getSweep(anonymous))!, createdAt: 0 }, { id: anonymous, name: null, spec: null, createdAt: 0 });
    assert.equal(await s.getSweep("snosuchsweep0000"), null);
  });
}
