// `toyworld repro` at tiny scale: a recipe goes through the queue into a
// temporary SQLite store, findings rows are stored, every run gets an outcome,
// and a second call trains nothing again (runs are reused by configId).

import { test } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { reproduce, reproReport } from "../../src/cli/repro.js";
import { openStore } from "../../src/store/index.js";
import { enqueueRecipe } from "../../src/runner/recipe-queue.js";
import { recipeRuns, recipes } from "../../src/universe/recipes/index.js";

test("a tiny-scale recipe runs through the queue, stores findings and is resumable", async () => {
  const dir = mkdtempSync(join(tmpdir(), "toyworld-repro-"));
  const store = await openStore(join(dir, "repro.db"));
  try {
    const [outcome] = await reproduce(store, ["adam-lr-boundary"], { scale: "tiny", threads: 1, quiet: true });
    const expectedRuns = recipeRuns(recipes["adam-lr-boundary"]).length;
    assert.equal(outcome!.runs.length, expectedRuns);
    for (const r of outcome!.runs) assert.ok(r.status === "completed" || r.status === "diverged", `${r.label}: ${r.status}`);
    const findings = await store.listFindings({});
    assert.ok(findings.length > 0, "findings rows stored");
    // lr 0.3 diverges within the tiny budget; the lr sweep then shows a cliff
    assert.ok(outcome!.runs.filter((r) => r.label.startsWith("lr0.3-")).every((r) => r.found.includes("divergence")));
    assert.ok(outcome!.sweeps[0]!.found.includes("cliff"));
    assert.ok(outcome!.check.lines.some((l) => l.startsWith("boundary:")));
    const report = reproReport([outcome!]);
    assert.equal(report.labelledRuns, expectedRuns);
    const again = await enqueueRecipe(store, recipes["adam-lr-boundary"], "tiny");
    assert.equal(again.enqueued, 0);
    assert.ok(again.runs.every((r) => r.reused));
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
