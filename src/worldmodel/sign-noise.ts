// Sign noise of intervention effects: a sweep trained with two seeds (the
// dataset's sweep replicates, a sweep with repeats) gives each of its
// intervention pairs twice, once per seed. Scoring one seed's deltas as the
// prediction of the other's, by the evaluation's own rules (signAccuracy: effects
// below SIGN_NOISE left out, a tie scores one half), measures how far a single
// seed decides an effect's sign, the floor under every predictor's sign accuracy
// (overall and per knob turned).
//
// If each seed's observed sign agreed with the expected effect's sign with
// probability a, independently, two seeds would agree with probability
// g = a^2 + (1 - a)^2, so a predictor of the expected effect scores about
// a = (1 + sqrt(2g - 1)) / 2 on single runs: the ceiling quoted. Only the scored
// seed's effect must clear SIGN_NOISE, so the two are not exactly alike; on
// synthetic sweeps with known expected effects the ceiling came within 0.02 of
// the accuracy of a predictor that knows them (test/worldmodel/sign-noise.test.ts).

import { CURVE_POINTS, type Example } from "./types.js";
import type { MetricValue } from "./evaluate.js";
import { configLeaves, differingPaths, interventionPairs, isSeedPath, pairKnob, seedlessKey, signAccuracy } from "./pairs.js";
import { groupBy } from "./group-by.js";

const LAST = CURVE_POINTS - 1;

export interface SignNoise {
  /** sweeps with runs under at least two seeds */
  sweeps: number;
  /** pairs scored (both directions: each seed predicting the other) */
  pairs: number;
  /** accuracy of one seed's deltas as signs of the other's */
  agreement: number;
  /** about the best sign accuracy a predictor of the expected effect reaches on single runs */
  ceiling: number;
  /** the agreement per knob turned (pairKnob), n = pairs scored */
  knobs: Record<string, MetricValue>;
}

/** The seeds of a config, as a key: runs of one sweep with equal keys ran under one seed. */
function seedKey(config: unknown): string {
  return JSON.stringify([...configLeaves(config)].filter(([path]) => isSeedPath(path)).sort((a, b) => (a[0] < b[0] ? -1 : 1)));
}

/** The agreement of two independent noisy signs -> the accuracy of one against the truth. */
export function signCeiling(agreement: number): number {
  if (!Number.isFinite(agreement)) return NaN;
  return (1 + Math.sqrt(Math.max(0, 2 * agreement - 1))) / 2;
}

/** How often one seed of a sweep gives the other's intervention effects on final test loss their sign. */
export function signNoise(examples: readonly Example[]): SignNoise {
  const deltas: { knob: string; actual: number; predicted: number }[] = [];
  let sweeps = 0;
  const bySweep = groupBy(examples, (e) => (e.fork || !e.sweepId ? null : e.sweepId));
  for (const runs of bySweep.values()) {
    const seeds = [...groupBy(runs, (e) => seedKey(e.config)).entries()].sort((a, b) => (a[0] < b[0] ? -1 : 1)).map(([, g]) => g);
    if (seeds.length < 2) continue;
    sweeps++;
    const [first, second] = [seeds[0]!, seeds[1]!];
    for (const [scored, predicting] of [[first, second], [second, first]] as const) {
      const twin = new Map(predicting.map((e) => [seedlessKey(e.config), e]));
      for (const [i, j] of interventionPairs(scored)) {
        const a = scored[i]!, b = scored[j]!;
        const ta = twin.get(seedlessKey(a.config)), tb = twin.get(seedlessKey(b.config));
        if (!ta || !tb) continue;
        deltas.push({
          knob: pairKnob(differingPaths(configLeaves(a.config), configLeaves(b.config))),
          actual: b.curves.test_loss[LAST]! - a.curves.test_loss[LAST]!,
          predicted: tb.curves.test_loss[LAST]! - ta.curves.test_loss[LAST]!,
        });
      }
    }
  }
  const scored = signAccuracy(deltas);
  const knobs: Record<string, MetricValue> = {};
  for (const knob of [...new Set(deltas.map((d) => d.knob))].sort()) {
    const byKnob = signAccuracy(deltas.filter((d) => d.knob === knob));
    if (byKnob.n > 0) knobs[knob] = byKnob;
  }
  return { sweeps, pairs: scored.n, agreement: scored.value, ceiling: signCeiling(scored.value), knobs };
}
