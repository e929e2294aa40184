// The registry of presets: named experiments from the literature, each scaled to a
// 2-core CPU. Adding a name to presetNames without an entry in `presets` (or the
// reverse) is a compile error.

import { doubleDescentNakkiran } from "./double-descent-nakkiran.js";
import { grokkingMlpLiu } from "./grokking-mlp-liu.js";
import { grokkingModadd } from "./grokking-modadd.js";
import { nandaTransformerModadd } from "./nanda-transformer-modadd.js";
import type { Preset } from "./preset.js";
import { sparseParityBarak } from "./sparse-parity-barak.js";

export type { Preset } from "./preset.js";

export const presetNames = [
  "grokking-modadd",
  "grokking-mlp-liu",
  "sparse-parity-barak",
  "double-descent-nakkiran",
  "nanda-transformer-modadd",
] as const;

export type PresetName = typeof presetNames[number];

/** Every preset by name (a test checks that each preset's own name matches its key). */
export const presets: { readonly [K in PresetName]: Preset } = {
  "grokking-modadd": grokkingModadd,
  "grokking-mlp-liu": grokkingMlpLiu,
  "sparse-parity-barak": sparseParityBarak,
  "double-descent-nakkiran": doubleDescentNakkiran,
  "nanda-transformer-modadd": nandaTransformerModadd,
};

export function isPresetName(name: string): name is PresetName {
  return (presetNames as readonly string[]).includes(name);
}

/** The preset called `name`, or undefined. */
export function getPreset(name: string): Preset | undefined {
  return isPresetName(name) ? presets[name] : undefined;
}
