// Export and import of runs (Parquet, CSV, JSON lines): a round trip reproduces
// runs and curves exactly (NaN, infinities and -0 included), importing twice adds
// nothing, files from elsewhere need only a few columns, bad files store nothing,
// and the commands' mistakes are one line with exit code 2.

import { test, before } from "node:test";
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parquetMetadata, parquetReadObjects, parquetSchema } from "hyparquet";
import { openStore, type RunCurves, type RunRecord, type Store } from "../../src/store/index.js";
import { EXCHANGE_COLUMNS, EXCHANGE_FORMATS, ExchangeError, exportRuns, importRuns } from "../../src/runner/exchange/index.js";
import { canonicalJson } from "../../src/universe/config/canonical.js";

const cli = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "toyworld-exchange-"));
const source = join(dir, "source.db");
let storeNo = 0;
const freshStore = () => openStore(join(dir, `store-${storeNo++}.db`));

function run(...args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [cli, ...args], { encoding: "utf8" }, (error, out, err) =>
      resolve({ code: error ? (typeof error.code === "number" ? error.code : null) : 0, out, err }));
  });
}

const curve = (steps: number[], values: number[]) => ({ steps: Int32Array.from(steps), values: Float64Array.from(values) });

before(async () => {
  const store = await openStore(source);
  try {
    const steps = [0, 1, 2, 4, 8, 16, 32];
    const curves = (k: number): RunCurves => ({
      train_loss: curve(steps, steps.map((s) => 0.7 * Math.exp(-s / (10 + k)) + 1e-7 * k)),
      test_acc: curve(steps, steps.map((s, i) => (i === 0 ? NaN : 1 - 0.5 / (1 + s)))),
      grad_norm: curve(steps, steps.map((s, i) => (i === steps.length - 1 ? NaN : 0.1 / (1 + s)))),
      lr: curve(steps, steps.map(() => 0.1 * (k + 1))),
    });
    const a = await store.insertFinished(
      { configId: "cfg-a", config: { task: { family: "sparse-parity", n: 8 }, model: { unit: "mlp" }, train: { lr: 0.1 } }, family: "sparse-parity", name: "alpha, \"quoted\"" },
      { status: "completed", divergedAt: null, wallSeconds: 1.5, paramCount: 1234, curves: curves(0) },
    );
    await store.insertFinished(
      { configId: "cfg-b", config: { text: "line one\nline two, with \"quotes\" and ünïcode", list: [1, -0.5, null] }, family: "modular-addition", name: "", sweepId: "s-sweep" },
      {
        status: "diverged", divergedAt: 4, wallSeconds: 0.25, paramCount: null,
        curves: { train_loss: curve([0, 1, 2, 4], [0.7, 3, -0, Infinity]), custom: curve([3, 5], [-Infinity, 1e-300]) },
      },
    );
    await store.insertFinished(
      {
        configId: "cfg-c", config: { task: { family: "sparse-parity", n: 8 }, model: { unit: "mlp" }, train: { lr: 0.2 } }, family: "sparse-parity", name: null,
        lineage: { parentRunId: a, forkStep: 8, interventions: [{ path: "train.lr", op: "mul", value: 2 }] },
      },
      { status: "completed", divergedAt: null, wallSeconds: 0.5, paramCount: 1234, curves: curves(1) },
    );
    // runs without curves have no rows
    const [queued, failed] = await store.enqueue([
      { configId: "cfg-q", config: {}, family: "sparse-parity" },
      { configId: "cfg-f", config: {}, family: "sparse-parity" },
    ]);
    assert.ok(queued);
    await store.claim("test:1", 2, 60_000);
    await store.fail(failed!, "test:1", "boom");
    await store.requeueStale(Date.now() + 120_000);
  } finally {
    await store.close();
  }
});

/** Runs and curves of `b` (imported) are those of `a`: every field but ids, timestamps and queue bookkeeping. */
async function assertSameRuns(a: Store, b: Store): Promise<void> {
  const ra = (await a.listRuns({ status: ["completed", "diverged"] })).reverse();
  const rb = (await b.listRuns()).reverse();
  assert.equal(rb.length, ra.length);
  const idMap = new Map<string, string>();
  const key = (r: RunRecord) => `${r.configId}/${r.name}`;
  for (const r of ra) idMap.set(r.id, rb.find((x) => key(x) === key(r))!.id);
  const ca = await a.getCurves(ra.map((r) => r.id)), cb = await b.getCurves(rb.map((r) => r.id));
  for (const x of ra) {
    const y = rb.find((r) => r.id === idMap.get(x.id))!;
    for (const f of ["configId", "family", "name", "status", "sweepId", "divergedAt", "wallSeconds", "paramCount"] as const) {
      assert.equal(y[f], x[f], `${x.name}: ${f}`);
    }
    assert.deepEqual(y.config, x.config);
    assert.deepEqual(y.lineage, x.lineage && { ...x.lineage, parentRunId: idMap.get(x.lineage.parentRunId) });
    const cx = ca.get(x.id)!, cy = cb.get(y.id)!;
    assert.deepEqual(Object.keys(cy).sort(), Object.keys(cx).sort());
    for (const m of Object.keys(cx)) {
      assert.deepEqual([...cy[m]!.steps], [...cx[m]!.steps], `${x.name} ${m} steps`);
      cx[m]!.values.forEach((v, i) => assert.ok(Object.is(cy[m]!.values[i], v), `${x.name} ${m}[${i}]: ${cy[m]!.values[i]} is not ${v}`));
    }
  }
}

for (const format of EXCHANGE_FORMATS) {
  test(`${format}: export then import reproduces runs and curves; importing again adds nothing`, async () => {
    const out = join(dir, `runs.${format}`);
    const src = await openStore(source);
    const dst = await freshStore();
    try {
      const summary = await exportRuns(src, { format, out, chunkRuns: 2, rowGroupRows: 10 });
      assert.deepEqual(summary, { format, path: out, runs: 3, rows: 2 * 4 * 7 + 6 });
      const first = await importRuns(dst, out);
      assert.equal(first.runs, 3);
      assert.equal(first.imported.length, 3);
      assert.deepEqual([first.duplicates, first.unfinished], [[], []]);
      await assertSameRuns(src, dst);
      const again = await importRuns(dst, out);
      assert.equal(again.imported.length, 0);
      assert.deepEqual(again.duplicates.map((d) => d.id).sort(), first.imported.map((i) => i.id).sort());
      assert.equal((await dst.listRuns()).length, 3);
      const back = await importRuns(src, out);
      assert.equal(back.imported.length, 0, "the source store has them all");
    } finally {
      await src.close();
      await dst.close();
    }
  });
}

test("the Parquet file: its columns and types, dictionary-encoded and compressed, nulls for NaN", async () => {
  const out = join(dir, "check.parquet");
  const src = await openStore(source);
  try {
    await exportRuns(src, { format: "parquet", out });
  } finally {
    await src.close();
  }
  const bytes = readFileSync(out);
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const meta = parquetMetadata(buffer);
  assert.deepEqual(parquetSchema(meta).children.map((c) => c.element.name), [...EXCHANGE_COLUMNS]);
  const types = Object.fromEntries(parquetSchema(meta).children.map((c) => [c.element.name, c.element.type]));
  assert.deepEqual([types.step, types.value, types.fork_step, types.param_count, types.config], ["INT32", "DOUBLE", "INT32", "INT64", "BYTE_ARRAY"]);
  const chunks = meta.row_groups[0]!.columns.map((c) => c.meta_data!);
  const config = chunks.find((c) => c.path_in_schema[0] === "config")!;
  assert.ok(config.encodings.includes("RLE_DICTIONARY"), "config is dictionary-encoded");
  assert.equal(config.codec, "SNAPPY");
  const rows = await parquetReadObjects({ file: buffer });
  assert.equal(rows.length, 62);
  const lossB = rows.filter((r) => r.family === "modular-addition" && r.metric === "train_loss").map((r) => r.value as number);
  assert.deepEqual(lossB, [0.7, 3, -0, Infinity]);
  const acc = rows.filter((r) => r.name === "alpha, \"quoted\"" && r.metric === "test_acc");
  assert.equal(acc[0]!.value, null, "NaN is null");
  assert.equal(typeof acc[0]!.config, "string");
  assert.deepEqual(JSON.parse(acc[0]!.config as string), { task: { family: "sparse-parity", n: 8 }, model: { unit: "mlp" }, train: { lr: 0.1 } });
  const fork = rows.find((r) => r.parent_run_id !== null)!;
  assert.equal(fork.fork_step, 8);
  assert.deepEqual(JSON.parse(fork.interventions as string), [{ path: "train.lr", op: "mul", value: 2 }]);
});

test("files from elsewhere: a few columns, any order of rows, config ids computed, forks linked", async () => {
  const toyConfig = { task: { family: "sparse-parity", n: 6 }, model: { unit: "mlp" }, train: { lr: 0.05 } };
  const csv = [
    "run_id,family,metric,step,value,config,parent_run_id,fork_step",
    `child,sparse-parity,loss,20,0.25,"${JSON.stringify({ x: 2 }).replaceAll('"', '""')}",parent,10`,
    `parent,sparse-parity,loss,10,0.5,"${JSON.stringify(toyConfig).replaceAll('"', '""')}",,`,
    `parent,sparse-parity,loss,0,1,"${JSON.stringify(toyConfig).replaceAll('"', '""')}",,`,
    `child,sparse-parity,loss,10,nan,"${JSON.stringify({ x: 2 }).replaceAll('"', '""')}",parent,10`,
    `parent,sparse-parity,acc,0,inf,"${JSON.stringify(toyConfig).replaceAll('"', '""')}",,`,
    `child,sparse-parity,loss,30,,"${JSON.stringify({ x: 2 }).replaceAll('"', '""')}",parent,10`,
  ].join("\r\n");
  const file = join(dir, "outside.csv");
  writeFileSync(file, csv);
  const store = await freshStore();
  try {
    const s = await importRuns(store, file);
    assert.equal(s.imported.length, 2);
    const runs = await store.listRuns();
    const parent = runs.find((r) => r.id === s.imported.find((i) => i.from === "parent")!.id)!;
    const child = runs.find((r) => r.id === s.imported.find((i) => i.from === "child")!.id)!;
    assert.equal(parent.status, "completed");
    assert.equal(parent.configId, createHash("sha256").update(canonicalJson(toyConfig)).digest("hex").slice(0, 16), "the hash of the canonical config");
    assert.match(child.configId, /^[0-9a-f]{16}$/);
    assert.deepEqual(child.config, { x: 2 });
    assert.deepEqual(child.lineage, { parentRunId: parent.id, forkStep: 10, interventions: [] });
    const curves = await store.getCurves([parent.id, child.id]);
    assert.deepEqual([...curves.get(parent.id)!.loss!.steps], [0, 10], "steps are sorted");
    assert.deepEqual([...curves.get(parent.id)!.loss!.values], [1, 0.5]);
    assert.deepEqual([...curves.get(parent.id)!.acc!.values], [Infinity]);
    assert.deepEqual([...curves.get(child.id)!.loss!.values], [NaN, 0.25, NaN]);

    const jsonl = join(dir, "outside.jsonl");
    writeFileSync(jsonl, [
      { run_id: "j", family: "f", metric: "m", step: 1, value: "Infinity", config: { a: [1, 2] }, status: "diverged", diverged_at: 1 },
      { run_id: "j", family: "f", metric: "m", step: 0, value: null, config: { a: [1, 2] }, status: "diverged", diverged_at: 1 },
      { run_id: "q", family: "f", metric: "m", step: 0, value: 1, config: {}, status: "failed" },
    ].map((o) => JSON.stringify(o)).join("\n") + "\n\n");
    const j = await importRuns(store, jsonl);
    assert.equal(j.imported.length, 1);
    assert.deepEqual(j.unfinished, [{ from: "q", status: "failed" }]);
    const stored = (await store.getRun(j.imported[0]!.id))!;
    assert.equal(stored.status, "diverged");
    assert.equal(stored.divergedAt, 1);
    assert.deepEqual([...(await store.getCurves([stored.id])).get(stored.id)!.m!.values], [NaN, Infinity]);
  } finally {
    await store.close();
  }
});

test("a bad file stores nothing and names the row", async () => {
  const header = "run_id,family,metric,step,value,config,status";
  const cases: [string, RegExp][] = [
    [`${header}\nr,f,m,0,1,{},completed\nr,f,m,x,1,{},completed\n`, /bad\.csv: row 2: step must be an integer, got "x"/],
    [`${header}\nr,f,m,0,1,{},completed\nr,g,m,1,1,{},completed\n`, /row 2: run r has another family than on its first row/],
    [`${header}\nr,f,m,0,1,{},done\n`, /row 1: status must be one of /],
    [`${header}\nr,f,m,0,1,[1],completed\n`, /row 1: config must be a JSON object/],
    [`${header}\nr,f,m,0,abc,{},completed\n`, /row 1: value must be a number, got "abc"/],
    [`${header}\nr,f,m,0,1,{},completed,extra\n`, /row 1: 8 fields, but the header has 7/],
    ["run_id,metric\nr,m\n", /missing columns family, step, value, config/],
    [`${header}\nr,f,m,0,1,"{}\n`, /a quoted field is not closed/],
  ];
  const store = await freshStore();
  try {
    for (const [text, message] of cases) {
      const file = join(dir, "bad.csv");
      writeFileSync(file, text);
      await assert.rejects(importRuns(store, file), (e: Error) => e instanceof ExchangeError && message.test(e.message));
    }
    assert.equal((await store.listRuns()).length, 0);
  } finally {
    await store.close();
  }
});

test("export and import from the command line; mistakes are one line with exit code 2", async () => {
  const out = join(dir, "cli.jsonl"), db = join(dir, "cli.db");
  const exported = await run("export", "--db", source, "--out", out, "--status", "completed", "--json");
  assert.equal(exported.code, 0, exported.err);
  assert.deepEqual(JSON.parse(exported.out), { format: "jsonl", path: out, runs: 2, rows: 56 });
  writeFileSync(join(dir, "bad.jsonl"), `${JSON.stringify({ run_id: "r", metric: "m", step: 0, value: 1, config: {} })}\n`);
  const cases: [string[], RegExp][] = [
    [["export", "--db", source], /^toyworld: export needs --out PATH\n$/],
    [["export", "--db", source, "--out", join(dir, "x.xlsx")], /^toyworld: cannot tell the format of --out '.*x\.xlsx'/],
    [["export", "--db", source, "--out", join(dir, "x.csv"), "--format", "xml"], /^toyworld: --format must be one of parquet, csv, jsonl/],
    [["import", join(dir, "none.csv"), "--db", db], /^toyworld: cannot read .*none\.csv: no such file\n$/],
    [["import", join(dir, "bad.jsonl"), "--db", db], /^toyworld: .*bad\.jsonl: row 1: family is missing\n$/],
  ];
  const [imported, ...results] = await Promise.all([run("import", out, "--db", db), ...cases.map(([args]) => run(...args))]);
  assert.equal(imported!.code, 0, imported!.err);
  assert.match(imported!.out, /^imported 2 of 2 runs \(56 rows\) from .*cli\.jsonl\n$/);
  results.forEach((r, k) => {
    assert.equal(r.code, 2, `${cases[k]![0].join(" ")}: ${r.err}`);
    assert.match(r.err, cases[k]![1]);
    assert.equal(r.err.trimEnd().split("\n").length, 1, r.err);
  });
});

