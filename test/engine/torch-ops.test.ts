// Every op against PyTorch: outputs and input gradients from test/fixtures/ops.json
// (made by scripts/make_torch_fixtures.py), on both kernel backends.

import { test } from "node:test";
import { readFileSync } from "node:fs";
import { Engine, backward, type Backend, type Tensor } from "../../src/engine/index.js";
import { catalog } from "../helpers/op-catalog.js";
import { assertClose } from "../helpers/compare.js";

interface FixtureTensor { shape: number[]; dtype?: "f32" | "i32"; data: number[]; grad?: boolean }
interface OpCase {
  name: string; op: string; attrs: Record<string, unknown>;
  inputs: FixtureTensor[]; output: FixtureTensor; upstream: FixtureTensor; grads: Array<number[] | null>;
}

const fixtures = JSON.parse(readFileSync(new URL("../../../test/fixtures/ops.json", import.meta.url), "utf8")) as { cases: OpCase[] };

for (const backend of ["wasm", "reference"] as Backend[]) {
  test(`ops match PyTorch (${backend} kernels)`, async (t) => {
    const engine = new Engine({ backend });
    for (const c of fixtures.cases) {
      await t.test(c.name, () => {
        engine.scope(() => {
          const fn = catalog[c.op];
          if (!fn) throw new Error(`no catalog entry for fixture op ${c.op}`);
          const inputs: Tensor[] = c.inputs.map((i) => engine.tensor(i.data, i.shape, i.dtype ?? "f32", Boolean(i.grad)));
          const out = fn(inputs, c.attrs);
          assertClose(out.toFloat32(), c.output.data, { rtol: 1e-4, atol: 1e-5, what: `${c.name} output` });
          backward(out, engine.tensor(c.upstream.data, c.upstream.shape));
          c.grads.forEach((g, k) => {
            if (!g) return;
            const grad = inputs[k]!.grad;
            if (!grad) throw new Error(`${c.name}: input ${k} got no gradient`);
            assertClose(grad.toFloat32(), g, { rtol: 1e-4, atol: 1e-5, what: `${c.name} grad of input ${k}` });
          });
          for (const i of inputs) i.dispose();
        });
      });
    }
  });
}
