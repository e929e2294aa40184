// Shared SIMD helpers: lane-partial loads/stores for loop tails (never touching
// memory past the logical end of a buffer), horizontal sums, and f32x4 versions of
// the transcendental functions (exp, expm1, erfc) used by the unary, softmax and
// GELU kernels. Accuracy of the vector math is a few ulp (relative error < 1e-6),
// checked against the float64 reference in test/engine/kernels.test.ts.

/** Loads w (1..4) floats from p into the low lanes; the other lanes are 0. p: [w] */
// @ts-ignore: decorator
@inline
export function loadPartial(p: usize, w: i32): v128 {
  if (w >= 4) return v128.load(p);
  if (w == 1) return v128.load32_zero(p);
  const v = v128.load64_zero(p);
  if (w == 2) return v;
  return v128.load32_lane(p, v, 2, 8);
}

/** Stores the low w (1..4) lanes of v to p. p: [w] */
// @ts-ignore: decorator
@inline
export function storePartial(p: usize, v: v128, w: i32): void {
  if (w >= 4) {
    v128.store(p, v);
  } else if (w == 1) {
    v128.store32_lane(p, v, 0);
  } else {
    v128.store64_lane(p, v, 0);
    if (w == 3) v128.store32_lane(p, v, 2, 8);
  }
}

/** All-ones in lanes 0..w-1, zero in the others (w in 0..4). */
// @ts-ignore: decorator
@inline
export function laneMask(w: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(w));
}

/** Sum of the four f32 lanes. */
// @ts-ignore: decorator
@inline
export function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) + (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}

/** Sum of the two f64 lanes. */
// @ts-ignore: decorator
@inline
export function hsum64(v: v128): f64 {
  return f64x2.extract_lane(v, 0) + f64x2.extract_lane(v, 1);
}

/** Adds the four f32 lanes of v, widened to f64, into the two f64 lanes of acc. */
// @ts-ignore: decorator
@inline
export function addWide(acc: v128, v: v128): v128 {
  return f64x2.add(acc, f64x2.add(promoteLo(v), promoteHi(v)));
}

/** Lanes 0,1 of an f32x4 widened to f64x2. */
// @ts-ignore: decorator
@inline
export function promoteLo(v: v128): v128 {
  return f64x2.promote_low_f32x4(v);
}

/** Lanes 2,3 of an f32x4 widened to f64x2. */
// @ts-ignore: decorator
@inline
export function promoteHi(v: v128): v128 {
  return f64x2.promote_low_f32x4(v128.shuffle<f32>(v, v, 2, 3, 2, 3));
}

/** Two f64x2 rounded to one f32x4 [lo0, lo1, hi0, hi1]. */
// @ts-ignore: decorator
@inline
export function demote2(lo: v128, hi: v128): v128 {
  return v128.shuffle<f32>(f32x4.demote_f64x2_zero(lo), f32x4.demote_f64x2_zero(hi), 0, 1, 4, 5);
}

const LOG2E: f32 = 1.44269504;
/** ln 2 split so that n * LN2_HI is exact for |n| < 2^15 */
const LN2_HI: f32 = 0.693359375;
const LN2_LO: f32 = -2.12194440e-4;

/** 2^n for integer lanes n in [-150, 128], exact (two normal scalings so denormal and overflow round once). */
// @ts-ignore: decorator
@inline
function scale2(p: v128, n: v128): v128 {
  const n1 = i32x4.shr_s(n, 1);
  const n2 = i32x4.sub(n, n1);
  const s1 = i32x4.shl(i32x4.add(n1, i32x4.splat(127)), 23);
  const s2 = i32x4.shl(i32x4.add(n2, i32x4.splat(127)), 23);
  return f32x4.mul(f32x4.mul(p, s1), s2);
}

/**
 * e^x per lane. Range reduction x = n ln2 + r with |r| <= ln2/2, degree-7 Taylor
 * polynomial for e^r (truncation < 6e-9), exact scaling by 2^n. Overflows to +inf
 * above ~88.72, underflows through denormals to 0, NaN stays NaN.
 */
export function exp4(x: v128): v128 {
  x = f32x4.min(f32x4.max(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const nf = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(nf, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(nf, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.0 / 5040.0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 720.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  return scale2(p, i32x4.trunc_sat_f32x4_s(nf));
}

/**
 * e^x - 1 per lane, accurate near 0 (no cancellation), for x in [-80, 80]:
 * e^x - 1 = 2^n (e^r - 1) + (2^n - 1) with e^r - 1 from a polynomial without its 1.
 */
export function expm1_4(x: v128): v128 {
  const nf = f32x4.nearest(f32x4.mul(x, f32x4.splat(LOG2E)));
  let r = f32x4.sub(x, f32x4.mul(nf, f32x4.splat(LN2_HI)));
  r = f32x4.sub(r, f32x4.mul(nf, f32x4.splat(LN2_LO)));
  let p = f32x4.splat(1.0 / 40320.0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 5040.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 720.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  // q = r + r^2 p = e^r - 1
  const q = f32x4.add(r, f32x4.mul(f32x4.mul(r, r), p));
  const s = i32x4.shl(i32x4.add(i32x4.trunc_sat_f32x4_s(nf), i32x4.splat(127)), 23); // 2^n
  return f32x4.add(f32x4.mul(s, q), f32x4.sub(s, f32x4.splat(1.0)));
}

/** tanh per lane: sign(x) * u / (u + 2) with u = expm1(2|x|), |x| clamped to 10 (tanh = 1 in f32 there). */
export function tanh4(x: v128): v128 {
  const sign = v128.and(x, f32x4.splat(-0.0));
  const ax = f32x4.min(f32x4.abs(x), f32x4.splat(10.0));
  const u = expm1_4(f32x4.add(ax, ax));
  const t = f32x4.div(u, f32x4.add(u, f32x4.splat(2.0)));
  return v128.or(t, sign);
}

/** 1 / (1 + e^-x) per lane. */
export function sigmoid4(x: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), exp4(f32x4.neg(x))));
}

/**
 * erfc(z) for z >= 0 per lane (Numerical Recipes' Chebyshev fit, the formula of the
 * reference's erf, relative error < 1.2e-7 in exact arithmetic).
 */
export function erfcPos4(z: v128): v128 {
  const t = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), f32x4.mul(f32x4.splat(0.5), z)));
  let p = f32x4.splat(0.17087277);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.82215223));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.48851587));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.13520398));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.27886807));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.18628806));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.09678418));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.37409196));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.00002368));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.26551223));
  return f32x4.mul(t, exp4(f32x4.sub(p, f32x4.mul(z, z))));
}

/** Phi(x) = 0.5 (1 + erf(x / sqrt 2)), the standard normal CDF, without cancellation for x < 0. */
export function normalCdf4(x: v128): v128 {
  const r = f32x4.mul(f32x4.splat(0.5), erfcPos4(f32x4.mul(f32x4.abs(x), f32x4.splat(0.70710678))));
  // x >= 0: 1 - r/2; x < 0: r/2
  return v128.bitselect(r, f32x4.sub(f32x4.splat(1.0), r), f32x4.lt(x, f32x4.splat(0)));
}
