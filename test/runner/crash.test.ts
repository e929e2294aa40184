// Crash safety with a real process: kill -9 a sweep in the middle, start a worker on
// the same store, and every run completes exactly once with nothing stored before
// the crash lost or duplicated.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { openStore, type RunRecord } from "../../src/store/index.js";

const cli = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));

test("a sweep killed with SIGKILL completes exactly once after a restart", async () => {
  const dir = mkdtempSync(join(tmpdir(), "toyworld-crash-"));
  const db = join(dir, "crash.db");
  const sweep = join(dir, "sweep.yaml");
  // Different widths give different shapes, so every point is its own population and job.
  writeFileSync(sweep, `
base:
  task: {family: teacher-student, inputDim: 8, trainSize: 256}
  model: {unit: sequential, children: [{unit: mlp, width: 64, depth: 2}, {unit: readout}]}
  train: {optimizer: adam, lr: 0.003, steps: 400, batchSize: 64, evalPoints: 30}
grid:
  "model.children[0].width": [16, 24, 32, 40, 48, 56, 64, 72, 80, 88]
`);
  const child = spawn(process.execPath, [cli, "sweep", sweep, "--db", db, "--threads", "1"], { stdio: "ignore" });
  const store = await openStore(db);
  try {
    let before: RunRecord[] = [];
    for (let i = 0; i < 600; i++) {
      await new Promise((r) => setTimeout(r, 50));
      before = (await store.listRuns({ status: "completed" }).catch(() => [])) as RunRecord[];
      if (before.length >= 2) break;
    }
    assert.ok(before.length >= 2, "the sweep made progress before the kill");
    child.kill("SIGKILL");
    await new Promise((r) => child.once("exit", r));
    const counts = await store.countRuns();
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), 10);
    assert.ok(counts.completed < 10, "the kill interrupted the sweep");

    const worker = spawnSync(process.execPath, [cli, "worker", "--db", db, "--threads", "2"], { encoding: "utf8" });
    assert.equal(worker.status, 0, worker.stderr);

    const after = await store.listRuns({ limit: 100 });
    assert.equal(after.length, 10, "no run was duplicated");
    assert.ok(after.every((r) => r.status === "completed"), after.map((r) => r.status).join(","));
    for (const old of before) {
      const now = after.find((r) => r.id === old.id)!;
      assert.equal(now.finishedAt, old.finishedAt, "a run finished before the crash was not trained again");
    }
    const curves = await store.getCurves(after.map((r) => r.id), ["train_loss"]);
    for (const r of after) {
      const c = curves.get(r.id)?.train_loss;
      assert.ok(c && c.steps.length > 10 && c.steps[c.steps.length - 1] === 400, `${r.id} has its whole curve`);
    }
  } finally {
    if (child.exitCode === null) child.kill("SIGKILL");
    await store.close();
  }
});
