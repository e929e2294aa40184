// The `toyworld` bin (package.json) is the compiled CLI: the build leaves it
// executable, so `npx toyworld` works after `npm test` rebuilt it as well as
// after `npm ci`.

import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { fileURLToPath } from "node:url";

test("the bin is the compiled CLI, with a node shebang, and executable", () => {
  const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../../../package.json", import.meta.url)), "utf8")) as { bin: { toyworld: string } };
  assert.equal(pkg.bin.toyworld, "dist/src/cli/main.js");
  const main = fileURLToPath(new URL("../../src/cli/main.js", import.meta.url));
  assert.match(readFileSync(main, "utf8"), /^#!\/usr\/bin\/env node\n/);
  assert.ok((statSync(main).mode & 0o111) !== 0, `mode ${(statSync(main).mode & 0o777).toString(8)}`);
});
