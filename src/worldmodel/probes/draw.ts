// Small drawing helpers shared by the grokking probe kinds: a log-uniform value,
// a pick from a list and rounding to two significant digits (so configs read as
// a person would write them and equal draws hash to one config id).

import type { Rng } from "../../engine/rng.js";

/** A value between lo and hi, uniform on the log scale. */
export const logUniform = (rng: Rng, lo: number, hi: number): number => lo * Math.pow(hi / lo, rng.uniform());
/** One element of a non-empty list, uniformly. */
export const pick = <T>(rng: Rng, xs: readonly T[]): T => xs[rng.int(xs.length)]!;
/** x rounded to two significant digits. */
export const sig2 = (x: number): number => Number(x.toPrecision(2));
