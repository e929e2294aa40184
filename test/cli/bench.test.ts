// `toyworld bench` end to end: runs the compiled CLI in a child process, parses its
// JSON lines and checks their keys and that the losses are finite. No timing
// assertions: speed is measured, never asserted. Also checks that user mistakes
// give one line on stderr and exit code 2.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const toyworld = (...args: string[]) => spawnSync(process.execPath, [cli, ...args], { encoding: "utf8", timeout: 120_000 });

test("bench --json prints one row per workload with finite losses", () => {
  const r = toyworld("bench", "--seconds", "0.2", "--json", "--no-torch", "mlp-small", "population");
  assert.equal(r.status, 0, r.stderr);
  const rows = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(rows.map((row) => row.workload), ["mlp-small", "population"]);
  for (const row of rows) {
    for (const key of ["workload", "impl", "steps_per_s", "model_steps_per_s", "final_loss", "ratio_vs_torch"]) {
      assert.ok(key in row, `missing ${key} in ${JSON.stringify(row)}`);
    }
    assert.equal(row.impl, "toyworld");
    assert.ok(Number.isFinite(row.final_loss), `final_loss ${row.final_loss}`);
    assert.ok((row.steps_per_s as number) > 0 && (row.model_steps_per_s as number) > 0);
    assert.equal(row.ratio_vs_torch, null);
  }
  const pop = rows[1]!;
  assert.ok("ratio_vs_torch_batched" in pop);
  // the population's steps/s counts whole populations of 64 members
  assert.ok(Math.abs((pop.model_steps_per_s as number) / (pop.steps_per_s as number) - 64) < 1);
});

test("user mistakes are one line on stderr and exit code 2", () => {
  for (const args of [["bench", "no-such-workload"], ["bench", "--seconds", "soon"], ["bench", "--threads", "0"], ["bench", "--nope"]]) {
    const r = toyworld(...args);
    assert.equal(r.status, 2, `${args.join(" ")}: exit ${r.status}`);
    assert.equal(r.stderr.trim().split("\n").length, 1, `${args.join(" ")}: ${r.stderr}`);
    assert.equal(r.stdout, "");
  }
});

test("bench worldmodel times config-only and prefixed predictions of a model of the default shape", async () => {
  const { benchWorldModel } = await import("../../src/cli/worldmodel-bench.js");
  const { DEFAULT_TRAIN_OPTIONS } = await import("../../src/worldmodel/ensemble-train.js");
  let out = "";
  const r = await benchWorldModel({ json: true, batch: 300, distinct: 40 }, { write: (s: string) => (out += s) });
  assert.deepEqual([r.members, r.hidden, r.predictions], [DEFAULT_TRAIN_OPTIONS.members, DEFAULT_TRAIN_OPTIONS.hidden, 900]);
  assert.ok(r.config_only_per_s > 0 && r.with_prefix_per_s > 0, JSON.stringify(r));
  assert.deepEqual(JSON.parse(out), r);
  const again = toyworld("bench", "worldmodel", "store");
  assert.equal(again.status, 2, "worldmodel runs alone");
});
