// The runs a world-model fit holds out of training: one slice decides early
// stopping, another calibrates the intervals (calibration.ts). Errors on the
// first are optimistic (each member's weights were picked for doing well on it),
// so calibration has a slice of its own. Calibration runs are held out with
// their whole group of related runs (splits.ts), as a new config arrives without
// siblings in training: calibrated on runs whose sweep siblings were trained on,
// the intervals came out too narrow for new groups (coverage 0.72-0.73). Early
// stopping holds out single runs: held out by group it stopped earlier and
// ranked worse. Both are pure functions of content keys (content-keys.ts), group
// keys and the seed, never of the store's random ids.

import { fnv1a } from "./encode.js";
import { relatedGroups } from "./splits.js";
import { contentKeys } from "./content-keys.js";
import type { Example } from "./types.js";

/** Fewer runs than this are all trained on (no early stopping, no calibration). */
export const MIN_RUNS_TO_HOLD_OUT = 40;

export interface HeldOutSplit {
  train: Example[];
  /** held out for early stopping */
  stop: Example[];
  /** held out, with their groups, for calibration */
  calibrate: Example[];
}

/** Splits the runs of a fit: `validFraction` held out, half for early stopping and half for calibration. */
export function splitHeldOut(examples: readonly Example[], seed: number, validFraction: number): HeldOutSplit {
  const out: HeldOutSplit = { train: [], stop: [], calibrate: [] };
  if (examples.length < MIN_RUNS_TO_HOLD_OUT) {
    out.train.push(...examples);
    return out;
  }
  const keys = contentKeys(examples);
  const groupOf = new Map<Example, string>();
  for (const [key, group] of relatedGroups(examples, keys)) for (const e of group) groupOf.set(e, key);
  const share = (key: string) => (fnv1a(`${key}:${seed}`) % 10_000) / 10_000;
  for (const e of examples) {
    if (share(groupOf.get(e)!) < validFraction / 2) out.calibrate.push(e);
    else if (share(keys.get(e)!) < validFraction / 2) out.stop.push(e);
    else out.train.push(e);
  }
  return out;
}
