// `toyworld worldmodel train`, `predict`, `whatif` and `eval` on a temporary store of
// synthetic runs: the JSON shapes, the plot file, and mistakes as UsageErrors
// (one run as a user runs it, for the exit code). Calls stay in this process.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore, type RunCurves } from "../../src/store/index.js";
import { predictCommand, trainCommand, whatifCommand } from "../../src/cli/worldmodel.js";
import { evalCommand, seedsOf, trainFractionOf } from "../../src/cli/worldmodel-eval.js";
import { UsageError } from "../../src/cli/errors.js";
import { curveAt, syntheticConfig, trueFinal } from "../worldmodel/synthetic.js";

const cli = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "toyworld-wm-cli-"));
const db = join(dir, "wm.db");
const file = join(dir, "exp.json");

/** Runs fn and returns the text it wrote to stdout (the test runner's own binary reports pass through). */
async function stdoutOf(fn: () => Promise<void>): Promise<string> {
  const write = process.stdout.write.bind(process.stdout);
  let out = "";
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    if (typeof chunk !== "string") return write(chunk, ...rest);
    out += chunk;
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = write;
  }
  return out;
}

function curves(final: number): RunCurves {
  const at = Int32Array.from([0, ...Array.from({ length: 30 }, (_, i) => Math.round(1000 ** ((i + 1) / 30)))]);
  const loss = (s: number) => 10 ** curveAt(final, Math.max(s, 1) / 1000);
  return { test_loss: { steps: at, values: Float64Array.from(at, loss) }, train_loss: { steps: at, values: Float64Array.from(at, loss) } };
}

before(async () => {
  const store = await openStore(db);
  for (let i = 0; i < 40; i++) {
    const lr = 10 ** (-4 + (3 * i) / 40), width = [16, 64][i % 2]!;
    await store.insertFinished({ configId: `c${i}`, config: syntheticConfig(lr, width, i), family: "teacher-student" },
      { status: "completed", divergedAt: null, wallSeconds: 1, paramCount: null, curves: curves(trueFinal(lr, width)) });
  }
  await store.close();
  writeFileSync(file, JSON.stringify(syntheticConfig(1e-3, 16)));
});

after(() => rmSync(dir, { recursive: true, force: true }));

test("predict and whatif need a trained version", async () => {
  await assert.rejects(predictCommand(file, { db }), UsageError);
});

test("worldmodel train, predict and whatif", async () => {
  const trained = JSON.parse(await stdoutOf(() => trainCommand({ db, json: true, members: "2", steps: "60", seed: "1" })));
  assert.match(trained.id, /^wm/);
  assert.equal(trained.meta.trainedOn.examples, 40);

  const p = JSON.parse(await stdoutOf(() => predictCommand(file, { db, json: true, set: ["train.lr=x2"] })));
  assert.equal(p.worldModelId, trained.id);
  assert.equal(p.curves.test_loss.mean.length, 16);
  assert.ok(p.curves.test_loss.std.every((s: number) => s > 0));
  assert.ok(p.support.neighbours >= 0 && p.events.diverged >= 0 && p.events.diverged <= 1);

  const text = await stdoutOf(() => predictCommand(file, { db }));
  assert.match(text, /test_loss/);
  assert.match(text, /evidence: \d+ training runs nearby/);

  const svg = join(dir, "whatif.svg");
  const w = JSON.parse(await stdoutOf(() => whatifCommand(file, { db, json: true, set: ["model.children[0].width=x4"], out: svg })));
  assert.equal(w.interventions[0].path, "model.children[0].width");
  assert.ok(w.effects.testLoss.interval80[0] <= w.effects.testLoss.change && w.effects.testLoss.change <= w.effects.testLoss.interval80[1]);
  assert.equal(w.effects.testAcc, null);
  assert.ok(existsSync(svg));

  await assert.rejects(whatifCommand(file, { db, set: [] }), UsageError);
  await assert.rejects(whatifCommand(file, { db, set: ["train.lr=-3"] }), UsageError);
});

test("a mistake is one line and exit code 2", async () => {
  const r = await new Promise<{ code: number | null; err: string }>((resolve) =>
    execFile(process.execPath, [cli, "whatif", file, "--db", db], { encoding: "utf8" }, (error, _out, err) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, err })));
  assert.equal(r.code, 2);
  assert.match(r.err, /needs at least one --set/);
});

test("worldmodel eval --seed takes one seed or a list, averaged", async () => {
  assert.deepEqual(seedsOf(undefined), [0]);
  assert.deepEqual(seedsOf("4"), [4]);
  assert.deepEqual(seedsOf("0, 1,2"), [0, 1, 2]);
  assert.throws(() => seedsOf("0,-1"), /integer >= 0 .*got '-1' in '0,-1'/);
  assert.throws(() => seedsOf("1.5"), UsageError);
  assert.throws(() => seedsOf("0,,1"), UsageError);
  assert.throws(() => seedsOf("2,2"), /lists a seed twice/);
  const r = JSON.parse(await stdoutOf(() => evalCommand({ db, json: true, seed: "0,1", split: "random", model: false })));
  assert.deepEqual(r.seeds, [0, 1]);
  const mae = r.splits[0].results[0].metrics.mae_curve;
  assert.equal(mae.values.length, 2);
  assert.ok(Math.abs(mae.value - (mae.values[0] + mae.values[1]) / 2) < 1e-12);
});

test("worldmodel eval --train-fraction takes a fraction in (0, 1] and fits on that much", async () => {
  assert.equal(trainFractionOf(undefined), 1);
  assert.equal(trainFractionOf("0.25"), 0.25);
  for (const bad of ["0", "1.5", "-0.1", "half", ""]) assert.throws(() => trainFractionOf(bad), /--train-fraction must be a number in \(0, 1\]/);
  const full = JSON.parse(await stdoutOf(() => evalCommand({ db, json: true, split: "random", model: false })));
  const half = JSON.parse(await stdoutOf(() => evalCommand({ db, json: true, split: "random", model: false, trainFraction: "0.5" })));
  assert.equal(half.trainFraction, 0.5);
  assert.equal(half.splits[0].nTest, full.splits[0].nTest);
  assert.ok(half.splits[0].nTrain < full.splits[0].nTrain, `${half.splits[0].nTrain} < ${full.splits[0].nTrain}`);
});
