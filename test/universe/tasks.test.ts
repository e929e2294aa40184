// The task families: every registered family is checked for schema defaults,
// difficulty, determinism, shapes, batching and class balance; a few families get
// direct checks of their labels.

import { test } from "node:test";
import assert from "node:assert/strict";
import { getTask, taskNames, tasks } from "../../src/universe/tasks/index.js";
import type { Examples, TaskFamily, TaskSpec } from "../../src/universe/tasks/family.js";
import { parityBits } from "../../src/universe/tasks/sparse-parity.js";
import { modularResult } from "../../src/universe/tasks/modular-arithmetic.js";
import { isBalanced } from "../../src/universe/tasks/dyck.js";
import { sampleDistinct, xWidth, yWidth } from "../../src/universe/tasks/data.js";
import { Rng } from "../../src/engine/rng.js";

const families = taskNames.map((name) => [name, tasks[name] as TaskFamily] as const);
const sizes = { trainSize: 200, testSize: 150 } as const;

/** Parsed params: defaults overlaid with `over`, failing the test on schema or check issues. */
function params(family: TaskFamily, over: Record<string, unknown> = {}): Record<string, unknown> {
  const parsed = family.params.safeParse(over);
  assert.ok(parsed.success, `${family.name}: ${parsed.success ? "" : parsed.error.message}`);
  const issues = family.check?.(parsed.data) ?? [];
  assert.deepEqual(issues, [], `${family.name} check`);
  return parsed.data;
}

function assertShapes(what: string, spec: TaskSpec, ex: Examples): void {
  const xw = xWidth(spec), yw = yWidth(spec);
  assert.equal(ex.x.length, ex.n * xw, `${what}: x length`);
  assert.equal(ex.y.length, ex.n * yw, `${what}: y length`);
  if (spec.input.kind === "tokens") {
    assert.ok(ex.x instanceof Int32Array, `${what}: tokens are i32`);
    for (const v of ex.x) assert.ok(v >= 0 && v < spec.input.vocab, `${what}: token ${v} outside [0, ${spec.input.vocab})`);
  } else {
    assert.ok(ex.x instanceof Float32Array, `${what}: features are f32`);
    for (const v of ex.x) assert.ok(Number.isFinite(v), `${what}: non-finite input`);
  }
  if (spec.output.kind === "classes") {
    assert.ok(ex.y instanceof Int32Array, `${what}: labels are i32`);
    assert.equal(spec.loss, "crossEntropy");
    for (const v of ex.y) assert.ok(v >= 0 && v < spec.output.classes, `${what}: label ${v} outside [0, ${spec.output.classes})`);
  } else {
    assert.ok(ex.y instanceof Float32Array, `${what}: targets are f32`);
    assert.equal(spec.loss, "mse");
    for (const v of ex.y) assert.ok(Number.isFinite(v), `${what}: non-finite target`);
  }
}

function assertSameExamples(a: Examples, b: Examples, what: string): void {
  assert.equal(a.n, b.n, `${what}: n`);
  assert.deepEqual(a.x, b.x, `${what}: x`);
  assert.deepEqual(a.y, b.y, `${what}: y`);
}

/** Each example as a string key "x|y". */
function rowKeys(spec: TaskSpec, ex: Examples, withY = true): string[] {
  const xw = xWidth(spec), yw = yWidth(spec);
  return Array.from({ length: ex.n }, (_, i) =>
    Array.from(ex.x.subarray(i * xw, (i + 1) * xw)).join(",")
    + (withY ? "|" + Array.from(ex.y.subarray(i * yw, (i + 1) * yw)).join(",") : ""));
}

test("the registry lists every family under its own kebab-case name", () => {
  assert.ok(taskNames.length >= 12);
  assert.equal(new Set(taskNames).size, taskNames.length);
  assert.deepEqual(Object.keys(tasks).sort(), [...taskNames].sort());
  for (const [name, family] of families) {
    assert.equal(family.name, name);
    assert.match(name, /^[a-z0-9]+(-[a-z0-9]+)*$/);
    assert.ok(family.summary.length > 0);
    assert.equal(getTask(name), family);
  }
  assert.equal(getTask("no-such-task"), undefined);
});

test("every parameter has a default, a description, and the defaults pass the check", () => {
  for (const [name, family] of families) {
    params(family);
    for (const [key, field] of Object.entries(family.params.shape)) {
      const schema = field as { description?: string; safeParse(v: unknown): { success: boolean } };
      assert.ok(schema.safeParse(undefined).success, `${name}.${key} has no default`);
      assert.ok(schema.description && schema.description.length > 0, `${name}.${key} has no description`);
    }
  }
});

test("difficulty 0, 0.5 and 1 give valid params that differ between the ends", () => {
  for (const [name, family] of families) {
    const ends = [0, 0.5, 1].map((d) => {
      const partial = family.difficulty(d);
      assert.ok(Object.keys(partial).length > 0, `${name}: difficulty sets nothing`);
      return params(family, partial);
    });
    assert.notDeepEqual(ends[0], ends[2], `${name}: difficulty 0 and 1 give the same params`);
  }
});

test("builds are deterministic, match the spec and depend on the seed", () => {
  for (const [name, family] of families) {
    for (const d of [null, 0, 1]) {
      const p = params(family, d === null ? {} : family.difficulty(d));
      const what = `${name} (difficulty ${d ?? "default"})`;
      const spec = family.spec(p);
      const a = family.build(p, 11, sizes), b = family.build(p, 11, sizes);
      assert.deepEqual(a.spec, spec, `${what}: spec`);
      assert.ok(a.train, `${what}: train set`);
      assertSameExamples(a.train, b.train!, `${what} train`);
      assertSameExamples(a.test, b.test, `${what} test`);
      assertShapes(`${what} train`, spec, a.train);
      assertShapes(`${what} test`, spec, a.test);
      assert.ok(a.test.n >= 1 && a.test.n <= sizes.testSize, `${what}: test size`);
      if (name !== "modular-arithmetic") {
        assert.equal(a.train.n, sizes.trainSize, `${what}: train size`);
        assert.equal(a.test.n, sizes.testSize, `${what}: test size`);
      }
      const other = family.build(p, 12, sizes);
      assert.notDeepEqual(other.test.x, a.test.x, `${what}: seed has no effect`);
    }
  }
});

test("fixed-set batches are deterministic, sized, and each epoch visits the train set once", () => {
  for (const [name, family] of families) {
    const p = params(family);
    const inst = family.build(p, 5, sizes);
    const again = family.build(p, 5, sizes);
    const spec = inst.spec;
    const train = inst.train!;
    for (const [index, size] of [[0, 32], [3, 17], [40, 64]] as const) {
      const batch = inst.batch(index, size);
      assert.equal(batch.n, size);
      assertShapes(`${name} batch`, spec, batch);
      assertSameExamples(batch, again.batch(index, size), `${name} batch ${index}`);
    }
    // Out-of-order calls give the same batch.
    assertSameExamples(inst.batch(3, 17), again.batch(3, 17), `${name} batch after others`);
    const all = rowKeys(spec, train).sort();
    for (const epoch of [0, 1]) {
      assert.deepEqual(rowKeys(spec, inst.batch(epoch, train.n)).sort(), all, `${name}: epoch ${epoch} is not a permutation`);
    }
    assert.notDeepEqual(inst.batch(0, train.n).x, inst.batch(1, train.n).x, `${name}: epochs are not reshuffled`);
    assert.throws(() => inst.batch(-1, 4));
    assert.throws(() => inst.batch(0, 0));
  }
});

test("stream tasks give fresh deterministic batches and a test set from another stream", () => {
  for (const [name, family] of families) {
    const p = params(family);
    const stream = family.build(p, 9, { trainSize: "stream", testSize: 64 });
    const again = family.build(p, 9, { trainSize: "stream", testSize: 64 });
    if (name === "modular-arithmetic") assert.ok(stream.train, "modular arithmetic keeps its train split");
    else assert.equal(stream.train, null, `${name}: stream has no train set`);
    const b0 = stream.batch(0, 24), b1 = stream.batch(1, 24);
    assert.equal(b0.n, 24);
    assertShapes(`${name} stream batch`, stream.spec, b0);
    assertSameExamples(b0, again.batch(0, 24), `${name} stream batch`);
    assert.notDeepEqual(b0.x, b1.x, `${name}: stream batches repeat`);
    assertSameExamples(stream.test, again.test, `${name} stream test`);
    if (name !== "modular-arithmetic") {
      // The fixed train set is the start of the same stream; the test set is not.
      const fixed = family.build(p, 9, { trainSize: 48, testSize: 64 });
      assertSameExamples(stream.batch(0, 48), fixed.train!, `${name}: stream prefix`);
      assertSameExamples(stream.test, fixed.test, `${name}: test independent of trainSize`);
      assert.notDeepEqual(stream.test.x.subarray(0, b0.x.length), b0.x, `${name}: test equals train`);
    }
  }
});

test("sizes are validated", () => {
  for (const [name, family] of families) {
    const p = params(family);
    for (const bad of [{ trainSize: 0, testSize: 10 }, { trainSize: 10, testSize: 0 }, { trainSize: 1.5, testSize: 10 }]) {
      assert.throws(() => family.build(p, 1, bad), RangeError, `${name}: ${JSON.stringify(bad)}`);
    }
  }
});

test("classification tasks are not dominated by one class", () => {
  for (const [name, family] of families) {
    for (const d of [null, 0, 0.5, 1]) {
      const p = params(family, d === null ? {} : family.difficulty(d));
      const inst = family.build(p, 3, { trainSize: 2000, testSize: 1000 });
      if (inst.spec.output.kind !== "classes") continue;
      const counts = new Map<number, number>();
      for (const v of inst.train!.y) counts.set(v, (counts.get(v) ?? 0) + 1);
      const top = Math.max(...counts.values()) / inst.train!.y.length;
      assert.ok(top <= 0.9, `${name} (difficulty ${d ?? "default"}): one class holds ${(100 * top).toFixed(1)}%`);
      assert.ok(counts.size >= 2, `${name}: a single class`);
    }
  }
});

test("default builds are fast", () => {
  for (const [name, family] of families) {
    const p = params(family);
    const t0 = performance.now();
    family.build(p, 1, { trainSize: 1000, testSize: 1000 });
    const ms = performance.now() - t0;
    assert.ok(ms < 100, `${name}: building took ${ms.toFixed(1)} ms`);
  }
});

test("modular arithmetic: labels are right, train and test are disjoint, p must be prime", () => {
  const family = tasks["modular-arithmetic"];
  for (const op of ["add", "sub", "mul", "div", "x2xyy2"] as const) {
    const p = params(family, { p: 23, op, trainFraction: 0.3 });
    const inst = family.build(p, 4, { trainSize: 10, testSize: 100000 });
    const universe = op === "div" ? 23 * 22 : 23 * 23;
    assert.equal(inst.train!.n, Math.round(0.3 * universe));
    assert.equal(inst.train!.n + inst.test.n, universe, `${op}: the split covers the universe`);
    const trainKeys = new Set(rowKeys(inst.spec, inst.train!, false));
    const testKeys = rowKeys(inst.spec, inst.test, false);
    assert.equal(trainKeys.size, inst.train!.n);
    assert.equal(new Set(testKeys).size, testKeys.length);
    for (const k of testKeys) assert.ok(!trainKeys.has(k), `${op}: ${k} in both train and test`);
    for (const ex of [inst.train!, inst.test]) {
      for (let i = 0; i < ex.n; i++) {
        const a = ex.x[2 * i]!, b = ex.x[2 * i + 1]!, c = ex.y[i]!;
        if (op === "div") {
          assert.ok(b !== 0);
          assert.equal((c * b) % 23, a, `${a} / ${b} = ${c}`);
        } else {
          const direct = { add: a + b, sub: a - b, mul: a * b, x2xyy2: a * a + a * b + b * b }[op];
          assert.equal(c, ((direct % 23) + 23) % 23, `${op}(${a}, ${b})`);
        }
      }
    }
  }
  assert.equal(modularResult("div", 1, 2, 7), 4);
  // testSize caps the test set.
  const capped = family.build(params(family), 4, { trainSize: 1, testSize: 50 });
  assert.equal(capped.test.n, 50);
  const bad = family.params.parse({ p: 91 });
  assert.equal(family.check!(bad).length, 1);
});

test("sparse parity labels are the parity of the seeded relevant bits", () => {
  const family = tasks["sparse-parity"];
  const p = params(family, { n: 12, k: 4 });
  const bits = parityBits(p as never, 21);
  assert.equal(bits.length, 4);
  assert.equal(new Set(bits).size, 4);
  assert.notDeepEqual(parityBits(p as never, 22), bits, "the subset does not depend on the seed");
  const inst = family.build(p, 21, { trainSize: 500, testSize: 500 });
  for (const ex of [inst.train!, inst.test]) {
    for (let i = 0; i < ex.n; i++) {
      let prod = 1;
      for (const j of bits) prod *= ex.x[i * 12 + j]!;
      assert.equal(ex.y[i], (1 - prod) / 2);
    }
  }
  const noisy = family.build(params(family, { n: 12, k: 4, noise: 0.2 }), 21, { trainSize: 4000, testSize: 1 });
  let flipped = 0;
  for (let i = 0; i < noisy.train!.n; i++) {
    let prod = 1;
    for (const j of bits) prod *= noisy.train!.x[i * 12 + j]!;
    if (noisy.train!.y[i] !== (1 - prod) / 2) flipped++;
  }
  assert.ok(Math.abs(flipped / 4000 - 0.2) < 0.03, `flip rate ${flipped / 4000}`);
  assert.equal(family.check!(family.params.parse({ n: 3, k: 4 })).length, 1);
});

test("dyck: positives are balanced, negatives unbalanced with the same token counts", () => {
  const family = tasks["dyck"];
  const p = params(family, { types: 3, maxDepth: 5, length: 20 });
  const inst = family.build(p, 8, { trainSize: 2000, testSize: 1 });
  const ex = inst.train!;
  let positives = 0;
  const countByLabel = [new Float64Array(6), new Float64Array(6)];
  for (let i = 0; i < ex.n; i++) {
    const row = ex.x.subarray(i * 20, (i + 1) * 20);
    const label = ex.y[i]!;
    assert.equal(isBalanced(row), label === 1);
    assert.equal(row[0]! % 2, 0, "starts with an opener");
    assert.equal(row[19]! % 2, 1, "ends with a closer");
    let h = 0, opens = 0;
    for (const t of row) {
      h += t % 2 === 0 ? 1 : -1;
      assert.ok(h <= 5);
      if (t % 2 === 0) opens++;
      countByLabel[label]![t]!++;
    }
    assert.equal(opens, 10);
    positives += label;
  }
  assert.ok(Math.abs(positives / ex.n - 0.5) < 0.05);
  // Token frequencies look alike in both classes.
  for (let t = 0; t < 6; t++) {
    const f0 = countByLabel[0]![t]! / (ex.n - positives), f1 = countByLabel[1]![t]! / positives;
    assert.ok(Math.abs(f0 - f1) < 0.5, `token ${t}: ${f0} vs ${f1}`);
  }
  assert.equal(family.check!(family.params.parse({ length: 15 })).length, 1);
});

test("sequence targets are the copy, reverse or sort of the input", () => {
  const family = tasks["sequence"];
  for (const op of ["copy", "reverse", "sort"] as const) {
    const inst = family.build(params(family, { op, length: 7, vocab: 5 }), 2, { trainSize: 50, testSize: 1 });
    for (let i = 0; i < 50; i++) {
      const x = Array.from(inst.train!.x.subarray(i * 7, (i + 1) * 7));
      const y = Array.from(inst.train!.y.subarray(i * 7, (i + 1) * 7));
      const want = op === "copy" ? x : op === "reverse" ? [...x].reverse() : [...x].sort((a, b) => a - b);
      assert.deepEqual(y, want);
    }
  }
});

test("associative recall answers with the value of the queried key", () => {
  const family = tasks["associative-recall"];
  const inst = family.build(params(family, { vocab: 20, pairs: 5 }), 2, { trainSize: 200, testSize: 1 });
  for (let i = 0; i < 200; i++) {
    const row = inst.train!.x.subarray(i * 11, (i + 1) * 11);
    const keys = [0, 2, 4, 6, 8].map((j) => row[j]!);
    assert.equal(new Set(keys).size, 5);
    for (const k of keys) assert.ok(k < 10);
    const q = keys.indexOf(row[10]!);
    assert.ok(q >= 0);
    assert.equal(inst.train!.y[i], row[2 * q + 1]! - 10);
  }
});

test("markov chain targets are the inputs shifted by one", () => {
  const family = tasks["markov-chain"];
  const p = params(family, { length: 10 });
  const inst = family.build(p, 2, { trainSize: 100, testSize: 1 });
  for (let i = 0; i < 100; i++) {
    for (let t = 0; t + 1 < 10; t++) assert.equal(inst.train!.y[i * 10 + t], inst.train!.x[i * 10 + t + 1]);
  }
});

test("random hierarchy inputs determine their class", () => {
  const family = tasks["random-hierarchy"];
  const inst = family.build(params(family), 2, { trainSize: 3000, testSize: 1 });
  const seen = new Map<string, number>();
  const keys = rowKeys(inst.spec, inst.train!, false);
  keys.forEach((k, i) => {
    const label = inst.train!.y[i]!;
    assert.equal(seen.get(k) ?? label, label, `input ${k} has two classes`);
    seen.set(k, label);
  });
});

test("sampleDistinct draws distinct values uniformly", () => {
  const rng = new Rng(3, 0);
  const hits = new Float64Array(10);
  for (let r = 0; r < 2000; r++) {
    const s = sampleDistinct(rng, 10, 3);
    assert.equal(new Set(s).size, 3);
    for (const v of s) hits[v]!++;
  }
  for (const h of hits) assert.ok(Math.abs(h / 6000 - 0.1) < 0.02);
  assert.deepEqual(sampleDistinct(rng, 5, 5).sort(), [0, 1, 2, 3, 4]);
});
