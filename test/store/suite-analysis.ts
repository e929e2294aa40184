// The analysis side of the store suite: findings (insert-or-ignore by dedupe key,
// also under concurrent writers; lookups by run, sweep, kind, detector, id prefix,
// newest detector version), annotations, world-model versions (latest one) and
// predictions with their outcomes.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { FindingData } from "../../src/store/index.js";
import { curves, newRun, result, uniqueFamily, type SuiteContext } from "./fixtures.js";

function finding(kind: string, runIds: string[], extra: Partial<FindingData> = {}): FindingData {
  const detector = extra.detector ?? kind, version = extra.detectorVersion ?? 1;
  return {
    kind,
    runIds,
    score: 0.5,
    interval: { fromStep: 10, toStep: 200 },
    coordinate: null,
    evidence: { ratio: 3.5, steps: [10, 20, 40] },
    explanation: `${kind} in ${runIds.join(", ")}`,
    detector,
    detectorVersion: version,
    dedupeKey: `${detector}@${version}:${runIds.join(",")}:${extra.interval === null ? "-" : "10-200"}`,
    ...extra,
  };
}

export function analysisTests(ctx: SuiteContext): void {
  test("putFindings stores each dedupe key once and returns ids in input order", async () => {
    const s = ctx.store();
    const kind = uniqueFamily("kind");
    const a = finding(kind, ["ra", "rb"]), b = finding(kind, ["rc"], { interval: null, coordinate: { path: "train.lr", value: 0.01 } });
    const first = await s.putFindings([a, b, { ...a, score: 0.9 }]);
    assert.equal(first.inserted, 2);
    assert.equal(first.ids.length, 3);
    assert.equal(first.ids[0], first.ids[2], "a repeated key gets the first one's id");
    assert.notEqual(first.ids[0], first.ids[1]);
    const again = await s.putFindings([b, a]);
    assert.deepEqual(again, { ids: [first.ids[1], first.ids[0]], inserted: 0 });
    assert.deepEqual(await s.putFindings([]), { ids: [], inserted: 0 });

    const stored = await s.listFindings({ kind });
    assert.equal(stored.length, 2);
    const gotA = await s.getFinding(first.ids[0]!);
    assert.ok(gotA);
    const { id, createdAt, ...data } = gotA;
    assert.deepEqual(data, a, "round trip (the first score wins)");
    assert.ok(id.startsWith("f") && createdAt > 0);
    const gotB = (await s.getFinding(first.ids[1]!))!;
    assert.equal(gotB.interval, null);
    assert.deepEqual(gotB.coordinate, { path: "train.lr", value: 0.01 });
    assert.equal(await s.getFinding("fnosuchfinding0"), null);
    await assert.rejects(s.putFindings([{ ...a, dedupeKey: "" }]), /dedupeKey/);
    await assert.rejects(s.putFindings([{ ...finding(kind, ["rz"]), score: NaN }]), /finite/);
  });

  test("concurrent putFindings from several connections store every key once", async () => {
    const kind = uniqueFamily("kind");
    const all = Array.from({ length: 40 }, (_, i) => finding(kind, [`run-${kind}-${i}`]));
    const stores = await Promise.all([ctx.open(), ctx.open(), ctx.open(), ctx.open()]);
    try {
      // each writer puts an overlapping, differently ordered slice of the same findings
      const slices = stores.map((_, w) => {
        const part = all.filter((_, i) => (i + w) % 4 !== 0);
        return w % 2 === 0 ? part : [...part].reverse();
      });
      const results = await Promise.all(stores.map((st, w) => st.putFindings(slices[w]!)));
      assert.equal(results.reduce((n, r) => n + r.inserted, 0), all.length, "each key inserted by exactly one writer");
      const idOf = new Map<string, string>();
      results.forEach((r, w) => slices[w]!.forEach((f, k) => {
        const known = idOf.get(f.dedupeKey);
        if (known) assert.equal(r.ids[k], known, "every writer sees the same id for a key");
        else idOf.set(f.dedupeKey, r.ids[k]!);
      }));
      const stored = await ctx.store().listFindings({ kind });
      assert.equal(stored.length, all.length);
      for (const f of stored) assert.deepEqual(f.runIds.length, 1, "run rows written once");
    } finally {
      await Promise.all(stores.map((st) => st.close()));
    }
  });

  test("listFindings finds by run, sweep, kind, detector, id prefix and newest detector version", async () => {
    const s = ctx.store();
    const family = uniqueFamily("findings");
    const sweepId = await s.createSweep(null, {});
    const inSweep = await s.insertFinished(newRun(family, { sweepId }), result(curves(["test_loss"], 5)));
    const other = await s.insertFinished(newRun(family), result(curves(["test_loss"], 5)));
    const k1 = uniqueFamily("kind"), k2 = uniqueFamily("kind"), det = uniqueFamily("det");
    const { ids } = await s.putFindings([
      finding(k1, [inSweep]),
      finding(k2, [inSweep, other]),
      finding(k1, [other]),
      finding(k1, [other], { detector: det, detectorVersion: 1 }),
      finding(k1, [other], { detector: det, detectorVersion: 2 }),
    ]);
    const idsOf = (list: { id: string }[]) => list.map((f) => f.id).sort();
    assert.deepEqual(idsOf(await s.listFindings({ runId: inSweep })), [ids[0]!, ids[1]!].sort());
    assert.deepEqual((await s.listFindings({ runId: other, kind: k2 }))[0]!.runIds, [inSweep, other].sort());
    assert.deepEqual(idsOf(await s.listFindings({ sweepId })), [ids[0]!, ids[1]!].sort());
    assert.deepEqual(idsOf(await s.listFindings({ kind: [k1, k2] })), [...ids].sort());
    assert.deepEqual(await s.listFindings({ kind: [] }), []);
    assert.deepEqual(idsOf(await s.listFindings({ detector: det })), [ids[3]!, ids[4]!].sort());
    assert.deepEqual(idsOf(await s.listFindings({ detector: det, latestVersions: true })), [ids[4]!]);
    assert.equal((await s.listFindings({ kind: k1, latestVersions: true })).length, 3, "other detectors keep their newest version");
    const prefix = ids[2]!.slice(0, 12);
    assert.deepEqual(idsOf(await s.listFindings({ idPrefix: prefix.toUpperCase() })), [ids[2]!]);
    assert.deepEqual(await s.listFindings({ idPrefix: "f%" }), [], "LIKE wildcards are literal");
    const newest = await s.listFindings({ kind: k1, limit: 2 });
    assert.equal(newest.length, 2);
    const rest = await s.listFindings({ kind: k1, offset: 2 });
    assert.deepEqual(idsOf([...newest, ...rest]), idsOf(await s.listFindings({ kind: k1 })));
  });

  test("annotations belong to an existing finding and are listed by finding", async () => {
    const s = ctx.store();
    const kind = uniqueFamily("kind");
    const { ids } = await s.putFindings([finding(kind, ["r1"]), finding(kind, ["r2"])]);
    const a1 = await s.addAnnotation({ findingId: ids[0]!, verdict: "confirm", note: "clear on the plot", tags: ["textbook", "lr"] });
    const a2 = await s.addAnnotation({ findingId: ids[0]!, verdict: "reject" });
    const a3 = await s.addAnnotation({ findingId: ids[1]!, verdict: "reject", tags: [] });
    await assert.rejects(s.addAnnotation({ findingId: "fnosuchfinding0", verdict: "confirm" }), /no finding/);
    await assert.rejects(s.addAnnotation({ findingId: ids[0]!, verdict: "maybe" as "confirm" }), /verdict/);
    const first = await s.listAnnotations({ findingIds: [ids[0]!] });
    assert.deepEqual(first.map((a) => a.id).sort(), [a1, a2].sort());
    const one = first.find((a) => a.id === a1)!;
    assert.deepEqual({ ...one, createdAt: 0 }, { id: a1, findingId: ids[0], verdict: "confirm", note: "clear on the plot", tags: ["textbook", "lr"], createdAt: 0 });
    const two = first.find((a) => a.id === a2)!;
    assert.deepEqual([two.note, two.tags], [null, []]);
    assert.deepEqual((await s.listAnnotations({ findingIds: ids })).length, 3);
    assert.deepEqual(await s.listAnnotations({ findingIds: [] }), []);
    assert.ok((await s.listAnnotations()).some((a) => a.id === a3));
  });

  test("world-model versions: the latest, by id, evaluation set later", async () => {
    const s = ctx.store();
    const tag = uniqueFamily("wm");
    const params = new Uint8Array([0, 1, 2, 255, 128]);
    await s.putWorldModel({ id: `${tag}-a`, params, meta: { features: ["lr"], n: 10 }, evaluation: null });
    await s.putWorldModel({ id: `${tag}-b`, params: new Uint8Array(0), meta: { n: 20 }, evaluation: { rmse: 0.5 } });
    const latest = await s.getWorldModel();
    assert.equal(latest!.id, `${tag}-b`, "put in the same millisecond or not, the later one is the latest");
    const a = (await s.getWorldModel(`${tag}-a`))!;
    assert.deepEqual([...a.params], [...params]);
    assert.deepEqual(a.meta, { features: ["lr"], n: 10 });
    assert.equal(a.evaluation, null);
    assert.ok(a.createdAt < latest!.createdAt);
    await s.setWorldModelEvaluation(`${tag}-a`, { rmse: 0.25, coverage: [0.5, 0.9] });
    assert.deepEqual((await s.getWorldModel(`${tag}-a`))!.evaluation, { rmse: 0.25, coverage: [0.5, 0.9] });
    await assert.rejects(s.setWorldModelEvaluation(`${tag}-none`, {}), /no world-model version/);
    assert.equal(await s.getWorldModel(`${tag}-none`), null);
    const listed = await s.listWorldModels();
    assert.deepEqual(listed.slice(0, 2).map((v) => v.id), [`${tag}-b`, `${tag}-a`]);
    assert.ok(!("params" in listed[0]!));
    await assert.rejects(s.putWorldModel({ id: `${tag}-a`, params, meta: {}, evaluation: null }), "ids are unique");
  });

  test("predictions round trip with their outcome", async () => {
    const s = ctx.store();
    const wm = uniqueFamily("wm");
    await s.putWorldModel({ id: wm, params: new Uint8Array(4), meta: {}, evaluation: null });
    const ids = await s.putPredictions([
      { runId: null, configId: `${wm}-cfg`, worldModelId: wm, predicted: { finalLogTestLoss: { mean: -1.5, std: 0.25 } } },
      { runId: `${wm}-run`, configId: `${wm}-cfg`, worldModelId: wm, predicted: { p: 0.5 }, outcome: { diverged: true } },
    ]);
    assert.equal(ids.length, 2);
    assert.deepEqual(await s.putPredictions([]), []);
    const byModel = await s.listPredictions({ worldModelId: wm });
    assert.deepEqual(byModel.map((p) => p.id).sort(), [...ids].sort());
    const first = byModel.find((p) => p.id === ids[0])!;
    assert.deepEqual({ ...first, createdAt: 0 }, {
      id: ids[0], runId: null, configId: `${wm}-cfg`, worldModelId: wm,
      predicted: { finalLogTestLoss: { mean: -1.5, std: 0.25 } }, outcome: null, createdAt: 0,
    });
    await s.setPredictionOutcome(ids[0]!, { finalLogTestLoss: -1.4 });
    assert.deepEqual((await s.listPredictions({ configId: `${wm}-cfg`, runId: `${wm}-run` })).map((p) => p.outcome), [{ diverged: true }]);
    assert.deepEqual((await s.listPredictions({ worldModelId: wm })).find((p) => p.id === ids[0])!.outcome, { finalLogTestLoss: -1.4 });
    await assert.rejects(s.setPredictionOutcome("pnosuchprediction", 1), /no prediction/);
    await assert.rejects(s.putPredictions([{ runId: null, configId: null, worldModelId: `${wm}-none`, predicted: 1 }]), "the version must exist");
  });
}
