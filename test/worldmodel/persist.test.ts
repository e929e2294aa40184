// World-model versions in a temporary SQLite store: train from stored runs, load the
// latest version back with identical predictions, and warm-start the next version.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { openStore, type RunCurves } from "../../src/store/index.js";
import { loadWorldModel, trainWorldModel } from "../../src/worldmodel/persist.js";
import { IncompatibleWorldModelError, WorldModel } from "../../src/worldmodel/model.js";
import { decodeState } from "../../src/worldmodel/model-codec.js";

/** The serialized model with another JSON header (the float data moved to stay 4-byte aligned). */
function reencode(bytes: Uint8Array, header: unknown): Uint8Array {
  const oldLen = new DataView(bytes.buffer, bytes.byteOffset).getUint32(4, true);
  const data = bytes.subarray(Math.ceil((8 + oldLen) / 4) * 4);
  const json = new TextEncoder().encode(JSON.stringify(header));
  const start = Math.ceil((8 + json.length) / 4) * 4;
  const out = new Uint8Array(start + data.length);
  out.set(bytes.subarray(0, 4), 0);
  new DataView(out.buffer).setUint32(4, json.length, true);
  out.set(json, 8);
  out.set(data, start);
  return out;
}
import { curveAt, syntheticConfig, trueFinal } from "./synthetic.js";

function curves(final: number, steps: number): RunCurves {
  const at = Int32Array.from([0, ...Array.from({ length: 40 }, (_, i) => Math.round(steps ** ((i + 1) / 40)))]);
  const loss = (s: number) => 10 ** curveAt(final, Math.max(s, 1) / steps);
  return { test_loss: { steps: at, values: Float64Array.from(at, loss) }, train_loss: { steps: at, values: Float64Array.from(at, (s) => loss(s) * 0.8) } };
}

describe("world model persistence", () => {
  it("trains from stored runs, stores versions, loads them back and warm-starts", async () => {
    const dir = mkdtempSync(join(tmpdir(), "toyworld-wm-"));
    const store = await openStore(join(dir, "wm.db"));
    try {
      for (let i = 0; i < 60; i++) {
        const lr = 10 ** (-4 + (3 * i) / 60), width = [16, 32, 64][i % 3]!;
        await store.insertFinished({ configId: `c${i}`, config: syntheticConfig(lr, width, i), family: "teacher-student" },
          { status: "completed", divergedAt: null, wallSeconds: 1, paramCount: null, curves: curves(trueFinal(lr, width), 1000) });
      }
      const options = { members: 3, hidden: [16], steps: 150, batchSize: 32, evalEvery: 25 };
      const first = await trainWorldModel(store, options);
      assert.equal(first.examples, 60);
      assert.equal(first.warmStartedFrom, null);
      const loaded = await loadWorldModel(store);
      assert.ok(loaded);
      assert.equal(loaded.id, first.id);
      const q = [{ config: syntheticConfig(1e-3, 32) }];
      assert.deepEqual(await loaded.model.predict(q), await first.model.predict(q));
      assert.equal(loaded.record.meta && (loaded.record.meta as { trainedOn: { examples: number } }).trainedOn.examples, 60);

      const second = await trainWorldModel(store, options);
      assert.equal(second.warmStartedFrom, first.id);
      assert.deepEqual((await store.listWorldModels()).map((v) => v.id), [second.id, first.id]);
      const fresh = await trainWorldModel(store, { ...options, previous: false, hidden: [8] });
      assert.equal(fresh.warmStartedFrom, null);

      // a version saved by code with another config encoding does not load, and is no warm start
      const state = decodeState(fresh.model.serialize());
      const outdated = WorldModel.fromState.bind(WorldModel, { ...state, meta: { ...state.meta, featureNames: state.meta.featureNames.slice(1) } });
      assert.throws(outdated, IncompatibleWorldModelError);
      const bytes = fresh.model.serialize();
      const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + new DataView(bytes.buffer).getUint32(4, true))));
      header.meta.featureNames = ["an-old-feature", ...header.meta.featureNames.slice(1)];
      await store.putWorldModel({ id: "wm-outdated", params: reencode(bytes, header), meta: header.meta, evaluation: null });
      await assert.rejects(loadWorldModel(store, "wm-outdated"), IncompatibleWorldModelError);
      const afterOutdated = await trainWorldModel(store, { ...options, previous: "wm-outdated" });
      assert.equal(afterOutdated.warmStartedFrom, null);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
