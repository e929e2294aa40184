// `toyworld presets` and `toyworld sample` as library calls: output shapes,
// determinism and argument checks.

import { test } from "node:test";
import assert from "node:assert/strict";
import { presetsCommand, sampleCommand } from "../../src/cli/generate.js";
import { UsageError } from "../../src/cli/errors.js";
import { validateExperiment } from "../../src/universe/config/validate.js";
import { presetNames } from "../../src/universe/presets/index.js";

function capture(run: (write: (s: string) => void) => void): string {
  let out = "";
  run((s) => {
    out += s;
  });
  return out;
}

test("sample prints one valid JSON experiment per line, deterministically", () => {
  const text = capture((w) => sampleCommand({ n: 5, seed: 3, json: false }, w));
  const lines = text.trimEnd().split("\n");
  assert.equal(lines.length, 5);
  lines.forEach((line, i) => {
    const doc = JSON.parse(line) as { name: string };
    assert.equal(doc.name, `sample-3-${i}`);
    assert.ok(validateExperiment(doc).ok);
  });
  assert.equal(capture((w) => sampleCommand({ n: 5, seed: 3, json: true }, w)), text, "--json prints the same lines");
  assert.equal(capture((w) => sampleCommand({ n: 2, seed: 3, json: false }, w)), lines.slice(0, 2).join("\n") + "\n");
});

test("sample rejects bad counts and seeds as usage errors", () => {
  for (const opts of [{ n: 0, seed: 1 }, { n: 1.5, seed: 1 }, { n: 2, seed: -1 }, { n: 2, seed: Number.NaN }, { n: 2, seed: 2 ** 31 }]) {
    assert.throws(() => sampleCommand({ ...opts, json: false }, () => {}), UsageError);
  }
});

test("presets prints a table or one JSON document per preset", () => {
  const table = capture((w) => presetsCommand({ json: false }, w));
  const rows = table.trimEnd().split("\n");
  assert.match(rows[0]!, /^NAME\s+TASK\s+PARAMS\s+STEPS/);
  assert.equal(rows.length, presetNames.length + 1);
  for (const name of presetNames) assert.ok(rows.some((r) => r.startsWith(name)), name);

  const json = capture((w) => presetsCommand({ json: true }, w)).trimEnd().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
  assert.deepEqual(json.map((d) => d.name), [...presetNames]);
  for (const d of json) {
    assert.ok(validateExperiment(d.experiment).ok);
    for (const key of ["summary", "source", "notes", "id", "paramCount", "estimatedSeconds"]) assert.ok(key in d, key);
  }
});
