// Families the world model never trained on: each family of the synthetic data
// shifts every curve by its own offset, which nothing in a new family's config
// reveals. The model must say so: the intervals of an unseen family's runs come
// from the calibration with the family hidden, are much wider than those of known
// families, and cover the unseen family's runs about as often as promised.

import { before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { Rng, Stream } from "../../src/engine/index.js";
import { validateExperiment } from "../../src/universe/config/validate.js";
import { WorldModel } from "../../src/worldmodel/model.js";
import { encodeWithoutFamily, withoutFamily } from "../../src/worldmodel/novel-family.js";
import { FEATURE_NAMES, encodeConfig } from "../../src/worldmodel/encode.js";
import { paramCountOf } from "../../src/worldmodel/param-count.js";
import { CURVE_FRACTIONS, CURVE_POINTS, type Example, type Prediction } from "../../src/worldmodel/types.js";
import { curveAt, lossExample, trueFinal } from "./synthetic.js";

const K = CURVE_POINTS - 1;
const OFFSETS: Record<string, number> = { "teacher-student": -1, "sparse-parity": 0.2, "gaussian-mixture": 1, "playground": -0.3, "symbolic-regression": 0.8 };
const UNSEEN = "symbolic-regression";

function examples(n: number, seed: number, families: string[]): Example[] {
  const rng = new Rng(seed, Stream.data);
  return Array.from({ length: n }, (_, i) => {
    const family = families[i % families.length]!;
    const lr = 10 ** (-4 + 3 * rng.uniform());
    const width = [8, 16, 32, 64][rng.int(4)]!;
    const v = validateExperiment({
      task: { family, seed: i }, model: { unit: "sequential", children: [{ unit: "mlp", width, depth: 1 }, { unit: "readout" }] },
      train: { lr, steps: 1000, seed: i },
    });
    if (!v.ok) throw new Error(JSON.stringify(v.problems));
    const final = trueFinal(lr, width) + OFFSETS[family]! + 0.05 * rng.normal();
    const test = Float64Array.from(CURVE_FRACTIONS, (f) => curveAt(final, f));
    return lossExample({ runId: `nf-${seed}-${i}`, configId: `c${seed}-${i}`, family, config: v.config, test });
  });
}

const coverage = (preds: Prediction[], test: Example[]) =>
  preds.filter((p, i) => Math.abs(p.curves.test_loss.mean[K]! - test[i]!.curves.test_loss[K]!) <= 1.2816 * p.curves.test_loss.std[K]!).length / test.length;
const meanStd = (preds: Prediction[]) => preds.reduce((s, p) => s + p.curves.test_loss.std[K]!, 0) / preds.length;

describe("world model on a family it never trained on", () => {
  const known = Object.keys(OFFSETS).filter((f) => f !== UNSEEN);
  const model = new WorldModel({ members: 4, hidden: [48, 48], steps: 700, batchSize: 64, lr: 3e-3, seed: 5, evalEvery: 50 });
  const heldKnown = examples(80, 2, known);
  const heldUnseen = examples(60, 3, [UNSEEN]);
  let predKnown: Prediction[] = [], predUnseen: Prediction[] = [];

  before(async () => {
    await model.fit(examples(400, 1, known));
    predKnown = await model.predict(heldKnown.map((e) => ({ config: e.config })));
    predUnseen = await model.predict(heldUnseen.map((e) => ({ config: e.config })));
  });

  it("encodes a config without its family: no one-hot, knob or hashed trace of it remains", () => {
    const a = heldKnown.find((e) => e.family === "sparse-parity")!.config as { task: Record<string, unknown>; model: unknown; train: unknown };
    const b = { ...a, task: { ...heldKnown.find((e) => e.family === "gaussian-mixture")!.config as never as Record<string, unknown> }.task };
    const stripped = withoutFamily(a) as { task: Record<string, unknown> };
    assert.equal(stripped.task.family, undefined);
    assert.deepEqual(Object.keys(stripped.task).sort(), ["difficulty", "seed", "testSize", "trainSize"]);
    // two families' tasks with the same common fields encode alike once the family is gone
    const common = { ...stripped.task };
    const ea = encodeWithoutFamily({ ...a, task: { ...a.task, ...common } }, 1000);
    const eb = encodeWithoutFamily({ ...b, task: { ...(b.task as Record<string, unknown>), ...common } }, 1000);
    assert.deepEqual(Array.from(ea), Array.from(eb));
    assert.notDeepEqual(Array.from(encodeConfig(a)), Array.from(encodeConfig({ ...b, task: { ...(b.task as Record<string, unknown>), ...common } })));
    assert.equal(ea[FEATURE_NAMES.indexOf("family=sparse-parity")], 0);
    assert.equal(encodeWithoutFamily(a)[FEATURE_NAMES.indexOf("log10.paramCount")], Math.fround(Math.log10(paramCountOf(a)!)), "the real task's parameter count");
  });

  it("calibrates a set of interval factors with the family hidden", () => {
    assert.ok(model.meta.validCoverage80["novel-family:test_loss"]! > 0.6, JSON.stringify(model.meta.validCoverage80));
  });

  it("gives an unseen family's runs much wider intervals that still cover them", () => {
    assert.ok(meanStd(predUnseen) > 2 * meanStd(predKnown), `unseen ${meanStd(predUnseen)} vs known ${meanStd(predKnown)}`);
    const c = coverage(predUnseen, heldUnseen);
    assert.ok(c >= 0.6, `coverage of the unseen family ${c}`);
    assert.ok(coverage(predKnown, heldKnown) > 0.6);
  });
});
