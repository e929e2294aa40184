// The config encoding: fixed length, deterministic, sensitive to hyperparameters it
// has no name for (the hashing block), insensitive to seeds; the standardizer.

import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { FEATURE_COUNT, FEATURE_NAMES, HASH_BUCKETS, Standardizer, encodeConfig } from "../../src/worldmodel/encode.js";
import { syntheticConfig } from "./synthetic.js";

const hashBlock = (v: Float32Array) => v.subarray(FEATURE_COUNT - HASH_BUCKETS);
const base = () => structuredClone(syntheticConfig(1e-3, 32)) as Record<string, Record<string, unknown>>;

describe("encodeConfig", () => {
  it("has a fixed length with a name per feature", () => {
    assert.equal(FEATURE_NAMES.length, FEATURE_COUNT);
    assert.equal(new Set(FEATURE_NAMES).size, FEATURE_COUNT);
    assert.equal(encodeConfig(base()).length, FEATURE_COUNT);
    assert.equal(encodeConfig({}).length, FEATURE_COUNT);
    assert.equal(encodeConfig(null).length, FEATURE_COUNT);
  });

  it("gives the same vector for the same config, whatever the key order", () => {
    const a = base();
    const b = JSON.parse(JSON.stringify({ train: a.train, model: a.model, task: a.task }));
    assert.deepEqual(encodeConfig(a), encodeConfig(b));
    assert.ok(encodeConfig(a).every(Number.isFinite));
  });

  it("changes with a hyperparameter it has never heard of, in the hashing block", () => {
    const a = base();
    const b = base();
    b.train!.someNewKnob = 0.3;
    const c = base();
    c.task!.importedOnlyParam = "cosine-ish";
    const [ea, eb, ec] = [encodeConfig(a), encodeConfig(b), encodeConfig(c)];
    assert.notDeepEqual(hashBlock(eb), hashBlock(ea));
    assert.notDeepEqual(hashBlock(ec), hashBlock(ea));
    // named features are untouched by the unknown field
    assert.deepEqual(eb.subarray(0, FEATURE_COUNT - HASH_BUCKETS), ea.subarray(0, FEATURE_COUNT - HASH_BUCKETS));
    const d = base();
    d.train!.someNewKnob = 3;
    assert.notDeepEqual(hashBlock(encodeConfig(d)), hashBlock(eb));
  });

  it("reads the recipe on log scales and ignores seeds", () => {
    const i = FEATURE_NAMES.indexOf("log10.lr");
    assert.ok(Math.abs(encodeConfig(base())[i]! - -3) < 1e-6);
    const seeded = base();
    seeded.train!.seed = 123;
    seeded.task!.seed = 77;
    assert.deepEqual(encodeConfig(seeded), encodeConfig(base()));
    const wider = syntheticConfig(1e-3, 128);
    const w = FEATURE_NAMES.indexOf("log2.width.max");
    assert.equal(encodeConfig(wider)[w], 7);
    assert.ok(encodeConfig(wider)[FEATURE_NAMES.indexOf("log10.paramCount")]! > encodeConfig(base())[FEATURE_NAMES.indexOf("log10.paramCount")]!);
  });

  it("measures weight decay by the run's length in decay timescales, 1 / (lr x wd) steps", () => {
    const timescales = FEATURE_NAMES.indexOf("log10.decayTimesSteps"), decayed = FEATURE_NAMES.indexOf("decayedFraction");
    const withDecay = (lr: number, wd: number, steps: number) => {
      const c = structuredClone(syntheticConfig(lr, 32)) as Record<string, Record<string, unknown>>;
      c.train!.weightDecay = wd;
      c.train!.steps = steps;
      return encodeConfig(c);
    };
    // lr 1e-3, wd 0.1, 20,000 steps: 2 timescales; 86% of an initial weight decayed away
    const e = withDecay(1e-3, 0.1, 20_000);
    assert.ok(Math.abs(e[timescales]! - Math.log10(2)) < 1e-6);
    assert.ok(Math.abs(e[decayed]! - (1 - Math.exp(-2))) < 1e-6);
    // the same product from another lr and steps reads the same; no decay reads as none
    assert.ok(Math.abs(withDecay(1e-2, 0.1, 2000)[timescales]! - e[timescales]!) < 1e-6);
    assert.equal(withDecay(1e-3, 0, 20_000)[decayed], 0);
    assert.equal(withDecay(1e-3, 0, 20_000)[timescales], -6);
  });

  it("reads weight decay by how the optimizer applies it: timescales for AdamW and SGD, a floor for Adam's L2", () => {
    const timescales = FEATURE_NAMES.indexOf("log10.decayTimesSteps"), adamL2 = FEATURE_NAMES.indexOf("log10.adamL2");
    const withRecipe = (train: Record<string, unknown>) => {
      const c = structuredClone(syntheticConfig(1e-3, 32)) as Record<string, Record<string, unknown>>;
      c.train = { ...c.train, steps: 20_000, weightDecay: 0.1, ...train };
      return encodeConfig(c);
    };
    const adamw = withRecipe({ optimizer: "adamw" });
    assert.ok(Math.abs(adamw[timescales]! - Math.log10(2)) < 1e-6);
    assert.equal(adamw[adamL2], -6);
    // SGD with momentum 0.9: the decay builds up to 10x lr x wd per step
    const sgd = withRecipe({ optimizer: "sgd", momentum: 0.9 });
    assert.ok(Math.abs(sgd[timescales]! - Math.log10(20)) < 1e-6);
    // Adam normalizes the L2 term with the gradient: no timescale, the decay's own scale instead
    const adam = withRecipe({ optimizer: "adam" });
    assert.equal(adam[timescales], -6);
    assert.ok(Math.abs(adam[adamL2]! - -1) < 1e-6);
    assert.equal(withRecipe({ optimizer: "adam", weightDecay: 0 })[adamL2], -6);
  });

  it("one-hots the family with an other slot", () => {
    const other = base();
    other.task!.family = "imported-family";
    const e = encodeConfig(other);
    assert.equal(e[FEATURE_NAMES.indexOf("family=other")], 1);
    assert.equal(encodeConfig(base())[FEATURE_NAMES.indexOf("family=teacher-student")], 1);
  });
});

describe("Standardizer", () => {
  it("centres and scales fitted rows; constant features are ignored (std 0, standardized to 0)", () => {
    const rows = [Float32Array.of(1, 5, 0), Float32Array.of(3, 5, 10), Float32Array.of(5, 5, 20)];
    const s = Standardizer.fit(rows);
    assert.deepEqual(Array.from(s.std.subarray(1, 2)), [0]);
    const z = rows.map((r) => s.apply(r, new Float32Array(3)));
    for (let j = 0; j < 3; j++) assert.ok(Math.abs(z.reduce((a, r) => a + r[j]!, 0)) < 1e-5);
    assert.ok(Math.abs(z[2]![0]! - Math.sqrt(1.5)) < 1e-5);
    // a query with another value of the constant feature (an unseen family's one-hot) still gives 0 there
    assert.equal(s.apply(Float32Array.of(3, 1, 10))[1], 0);
  });

  it("refitIgnored fits only the features that were constant", () => {
    const s = Standardizer.fit([Float32Array.of(1, 0), Float32Array.of(3, 0)]);
    const later = s.refitIgnored([Float32Array.of(10, 0), Float32Array.of(30, 1), Float32Array.of(50, 1)]);
    assert.deepEqual([later.mean[0], later.std[0]], [s.mean[0], s.std[0]], "a fitted feature keeps its scale");
    assert.ok(later.std[1]! > 0 && Math.abs(later.mean[1]! - 2 / 3) < 1e-6, "the constant one is fitted now");
    assert.equal(s.std[1], 0, "the original is unchanged");
  });
});
