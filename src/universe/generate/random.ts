// Random draws for the experiment generator, all from the engine's counter-based
// `Rng` (never Math.random): log-uniform reals and integers, weighted choices, coin
// flips, powers of two, and rounding to a few significant digits so sampled
// configs stay short and readable. Also the generator's own Rng stream, so the
// draws of the generator never overlap those of init, data, dropout or shuffling.

import { Rng } from "../../engine/rng.js";

/** The Rng stream of the generator (the engine's streams are 1..5). */
export const GENERATE_STREAM = 0x67656e; // "gen"

/** Counters reserved for one sample: sample i of a seed draws from i * SAMPLE_COUNTERS on. */
export const SAMPLE_COUNTERS = 2 ** 32;

/** The source of draw number `index` under `seed` (independent of every other index). */
export function generatorRng(seed: number, index = 0): Rng {
  return new Rng(seed, GENERATE_STREAM, index * SAMPLE_COUNTERS);
}

/** Uniform real in [lo, hi). */
export function uniform(rng: Rng, lo: number, hi: number): number {
  return lo + (hi - lo) * rng.uniform();
}

/** Uniform integer in [lo, hi] (both included). */
export function intBetween(rng: Rng, lo: number, hi: number): number {
  return lo + rng.int(hi - lo + 1);
}

/** Log-uniform real in [lo, hi] (lo, hi > 0). */
export function logUniform(rng: Rng, lo: number, hi: number): number {
  return Math.exp(uniform(rng, Math.log(lo), Math.log(hi)));
}

/** Log-uniform integer in [lo, hi]: every octave is equally likely. */
export function logInt(rng: Rng, lo: number, hi: number): number {
  const v = Math.round(logUniform(rng, lo - 0.5 + 1e-9, hi + 0.5 - 1e-9));
  return Math.min(hi, Math.max(lo, v));
}

/** A power of two 2^e with e uniform in [loExp, hiExp]. */
export function powerOfTwo(rng: Rng, loExp: number, hiExp: number): number {
  return 2 ** intBetween(rng, loExp, hiExp);
}

/** True with probability p. */
export function chance(rng: Rng, p: number): boolean {
  return rng.uniform() < p;
}

/** A uniformly chosen element. */
export function pick<T>(rng: Rng, items: readonly T[]): T {
  if (items.length === 0) throw new RangeError("pick: no items");
  return items[rng.int(items.length)]!;
}

/** An element chosen with probability proportional to its weight. */
export function weighted<T>(rng: Rng, items: ReadonlyArray<readonly [T, number]>): T {
  const total = items.reduce((s, [, w]) => s + w, 0);
  let u = rng.uniform() * total;
  for (const [item, w] of items) {
    if (u < w) return item;
    u -= w;
  }
  return items[items.length - 1]![0];
}

/** The items in a random order (Fisher-Yates). */
export function shuffled<T>(rng: Rng, items: readonly T[]): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** x rounded to `digits` significant digits (0 stays 0). */
export function sig(x: number, digits = 3): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}

/** x rounded to a multiple of `step` (e.g. 0.05), written without float noise. */
export function roundTo(x: number, step: number): number {
  const decimals = Math.max(0, -Math.floor(Math.log10(step)) + 1);
  return Number((Math.round(x / step) * step).toFixed(decimals));
}

/** The largest power of two <= n (n >= 1). */
export function floorPow2(n: number): number {
  return 2 ** Math.floor(Math.log2(Math.max(1, n)));
}

export function clamp(x: number, lo: number, hi: number): number {
  return x < lo ? lo : x > hi ? hi : x;
}
