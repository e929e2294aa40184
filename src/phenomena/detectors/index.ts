// The per-run detector registry. Typed by DetectorKind: adding a kind to
// DETECTOR_KINDS without a detector here (or the reverse) is a compile error.

import type { Detector, DetectorTable, RunView } from "../detector.js";
import { DETECTOR_KINDS } from "../detector.js";
import type { Finding } from "../finding.js";
import { divergence } from "./divergence.js";
import { edgeOfStability } from "./edge-of-stability.js";
import { epochDoubleDescent } from "./epoch-double-descent.js";
import { grokking } from "./grokking.js";
import { lossSpike } from "./loss-spike.js";
import { memorization } from "./memorization.js";
import { overfitting } from "./overfitting.js";
import { plateauDrop } from "./plateau-drop.js";
import { slowLearning } from "./slow-learning.js";

export const DETECTORS: DetectorTable = {
  "grokking": grokking,
  "memorization": memorization,
  "divergence": divergence,
  "loss-spike": lossSpike,
  "plateau-drop": plateauDrop,
  "overfitting": overfitting,
  "slow-learning": slowLearning,
  "epoch-double-descent": epochDoubleDescent,
  "edge-of-stability": edgeOfStability,
};

export function detectorList(): Detector[] {
  return DETECTOR_KINDS.map((k) => DETECTORS[k] as Detector);
}

/** Runs every detector (or the given ones) on a run. */
export function detectAll(run: RunView, kinds: readonly (keyof DetectorTable)[] = DETECTOR_KINDS): Finding[] {
  return kinds.flatMap((k) => (DETECTORS[k] as Detector).detect(run));
}
