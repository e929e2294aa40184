// `toyworld validate | tasks | units` as a user runs them: exit codes, one line per
// problem, machine-readable --json.

import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const cli = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "toyworld-cli-"));

function run(...args: string[]) {
  const r = spawnSync(process.execPath, [cli, ...args], { encoding: "utf8" });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

const valid = `
task: {family: sparse-parity, n: 12, k: 2}
model: {unit: sequential, children: [{unit: mlp, width: 32, depth: 1}, {unit: readout}]}
train: {optimizer: sgd, lr: 0.1, steps: 200}
`;

test("validate accepts a valid YAML file and prints its id", () => {
  const file = join(dir, "ok.yaml");
  writeFileSync(file, valid);
  const r = run("validate", file);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /valid\n\s+id\s+[0-9a-f]{16}\n/);
  const j = run("validate", file, "--json");
  const parsed = JSON.parse(j.out) as { ok: boolean; id: string; paramCount: number };
  assert.equal(parsed.ok, true);
  assert.ok(parsed.paramCount > 0);
});

test("validate rejects an invalid file with every problem and exit code 2", () => {
  const file = join(dir, "bad.json");
  writeFileSync(file, JSON.stringify({ task: { family: "sparse-parity", k: 30, n: 10 }, model: { unit: "readout" }, train: { lr: 0, stepz: 3 } }));
  const r = run("validate", file);
  assert.equal(r.code, 2);
  assert.equal(r.out, "");
  assert.match(r.err, /bad\.json: 2 problems\n/);
  assert.match(r.err, /train\.lr: expected a value > 0, got 0/);
  assert.match(r.err, /train\.stepz: expected no such key/);
  assert.doesNotMatch(r.err, /at .*\.js:\d+/, "no stack trace");
});

test("validate reports a missing file as one line with exit code 2", () => {
  const r = run("validate", join(dir, "missing.yaml"));
  assert.equal(r.code, 2);
  assert.match(r.err, /^toyworld: cannot read .*missing\.yaml: ENOENT\n$/);
});

test("tasks and units list the registries as JSON lines", () => {
  const tasks = run("tasks", "--json").out.trim().split("\n").map((l) => JSON.parse(l) as { family: string; params: unknown[] });
  assert.ok(tasks.length >= 12);
  assert.ok(tasks.every((t) => t.params.length > 0));
  const units = run("units", "--json").out.trim().split("\n").map((l) => JSON.parse(l) as { unit: string });
  assert.ok(units.some((u) => u.unit === "attention"));
});
