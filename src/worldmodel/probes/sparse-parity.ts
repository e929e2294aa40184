// Grokking probes on sparse parity from a finite training set (Merrill, Tsilivis
// and Shukla 2023, "A tale of two circuits"; Barak et al. 2022 for the online
// case): n ±1 bits, the label is the parity of a hidden k of them, and a one- or
// two-hidden-layer ReLU MLP trained full-batch with AdamW. With a few hundred
// training examples the net memorizes them within tens of steps; weight decay
// then lets the sparse parity circuit win and test accuracy jumps late, or, with
// too few examples or no decay, never. Measured on four hand-picked points (n
// 16-30, 200-800 examples, width 128-256, 4,000 steps, 2-5 s each): three grokked
// (test accuracy 0.95 at steps 1,274-2,605 against train accuracy at 23-73), the
// one with 200 examples memorized. Of the 225 drawn probes of the standing
// dataset (seed 0) 62 grokked. A second grokking family next to modular
// arithmetic: the family split can then hold out a family that groks.

import type { Rng } from "../../engine/rng.js";
import type { ExperimentInput } from "../../universe/config/experiment.js";
import { grokkingRecipe, logUniform, pick } from "./draw.js";

const BITS = [16, 20, 24, 30];
/** mostly 3 relevant bits; 2 is the easy corner (generalizes early), 4 the slow one */
const RELEVANT = [2, 3, 3, 3, 4];
const WIDTHS = [64, 128, 256, 512];
/** two hidden layers only this narrow: a 512 x 512 layer over 1,500 examples costs minutes */
const DEEP_WIDTHS = [64, 128];

/** One probe's document: data size, width, depth and the recipe drawn independently. */
export function sparseParityProbe(rng: Rng): ExperimentInput {
  const n = pick(rng, BITS);
  const hiddenLayers = rng.uniform() < 0.25 ? 2 : 1;
  const width = pick(rng, hiddenLayers === 2 ? DEEP_WIDTHS : WIDTHS);
  const children: unknown[] = [];
  for (let l = 0; l < hiddenLayers; l++) children.push({ unit: "linear", width }, { unit: "activation", fn: "relu" });
  children.push({ unit: "readout" });
  return {
    task: {
      family: "sparse-parity", n, k: pick(rng, RELEVANT), noise: 0,
      trainSize: Math.round(logUniform(rng, 150, 1500) / 10) * 10, seed: rng.int(1000), testSize: 512,
    },
    model: { unit: "sequential", children },
    train: grokkingRecipe(rng, { lr: [1e-3, 1e-2], steps: [2000, 6000] }),
  } as ExperimentInput;
}
