// Shared SIMD helpers: lane-partial loads/stores for loop tails (never touching
// memory past the logical end of a buffer), f32 <-> f64 widening for float64 sums,
// and f32x4 versions of the transcendental functions (exp, expm1, log, tanh,
// sigmoid, GELU and its derivative) used by the unary and softmax kernels. Their
// relative error stays below ~1.6e-7 (GELU ~5e-7, bound by the erfc fit it shares
// with the reference), checked in test/engine/kernels.test.ts.

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

/** 1.5 * 2^23: adding it rounds an f32 of magnitude < 2^22 to an integer (ties to even), kept in the low significand bits. */
const SHIFTER: f32 = 12582912.0;

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
 * e^x per lane. Range reduction x = n ln2 + r with |r| <= ln2/2 (n by the shifter
 * trick, no float-int conversion), degree-7 Taylor polynomial for e^r (truncation
 * < 6e-9), exact scaling by 2^n: relative error < 1e-7. Overflows to +inf above
 * ~88.72, underflows through denormals to 0, NaN stays NaN.
 */
// @ts-ignore: decorator
@inline
export function exp4(x: v128): v128 {
  // pmin/pmax keep a NaN x (the comparison is false) and compile to single instructions
  x = f32x4.pmin(f32x4.pmax(x, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const sh = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(SHIFTER));
  const nf = f32x4.sub(sh, f32x4.splat(SHIFTER));
  const n = i32x4.sub(sh, f32x4.splat(SHIFTER)); // integer n from the low bits
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
  return scale2(p, n);
}

/**
 * e^(hi + lo) per lane, for hi exact and large (e.g. -x^2/2 split off exactly) and lo
 * small (|lo| < ~4): the reduction hi - n ln2_hi is exact (Sterbenz), so the large
 * argument brings no rounding error. hi is clamped to [-104, 89].
 */
// @ts-ignore: decorator
@inline
export function expHiLo4(hi: v128, lo: v128): v128 {
  hi = f32x4.pmin(f32x4.pmax(hi, f32x4.splat(-104.0)), f32x4.splat(89.0));
  const sh = f32x4.add(f32x4.mul(f32x4.add(hi, lo), f32x4.splat(LOG2E)), f32x4.splat(SHIFTER));
  const nf = f32x4.sub(sh, f32x4.splat(SHIFTER));
  const n = i32x4.sub(sh, f32x4.splat(SHIFTER));
  let r = f32x4.sub(hi, f32x4.mul(nf, f32x4.splat(LN2_HI)));
  r = f32x4.add(r, f32x4.sub(lo, f32x4.mul(nf, f32x4.splat(LN2_LO))));
  let p = f32x4.splat(1.0 / 5040.0);
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 720.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 120.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 24.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0 / 6.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(0.5));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  p = f32x4.add(f32x4.mul(p, r), f32x4.splat(1.0));
  return scale2(p, n);
}

/**
 * e^x - 1 per lane, accurate near 0 (no cancellation), for x in [-80, 80]:
 * e^x - 1 = 2^n (e^r - 1) + (2^n - 1) with e^r - 1 from a polynomial without its 1.
 */
// @ts-ignore: decorator
@inline
export function expm1_4(x: v128): v128 {
  const sh = f32x4.add(f32x4.mul(x, f32x4.splat(LOG2E)), f32x4.splat(SHIFTER));
  const nf = f32x4.sub(sh, f32x4.splat(SHIFTER));
  const n = i32x4.sub(sh, f32x4.splat(SHIFTER));
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
  const s = i32x4.shl(i32x4.add(n, i32x4.splat(127)), 23); // 2^n
  return f32x4.add(f32x4.mul(s, q), f32x4.sub(s, f32x4.splat(1.0)));
}

/**
 * ln x per lane. x = 2^e m with m in [sqrt(1/2), sqrt(2)) (integer ops on the bits,
 * denormals prescaled by 2^23), ln m = 2 atanh(s) = 2s (1 + s^2/3 + ... + s^8/9) with
 * s = (m-1)/(m+1), |s| < 0.172 (truncation < 1e-9), then e ln2 (split hi/lo) + ln m.
 * ln 0 = -inf, ln(x < 0) = NaN, ln inf = inf, NaN stays NaN.
 */
// @ts-ignore: decorator
@inline
export function log4(x: v128): v128 {
  const tiny = f32x4.lt(x, f32x4.splat(1.17549435e-38)); // denormal (or <= 0, handled below)
  const xs = v128.bitselect(f32x4.mul(x, f32x4.splat(8388608.0)), x, tiny);
  // bits - bits(sqrt(1/2)): the exponent field is e, the rest puts m in [sqrt(1/2), sqrt(2))
  const u = i32x4.sub(xs, i32x4.splat(0x3f3504f3));
  const e = i32x4.sub(i32x4.shr_s(u, 23), v128.and(tiny, i32x4.splat(23)));
  const m = i32x4.add(v128.and(u, i32x4.splat(0x007fffff)), i32x4.splat(0x3f3504f3));
  const f = f32x4.sub(m, f32x4.splat(1.0)); // exact
  const s = f32x4.div(f, f32x4.add(f32x4.splat(2.0), f));
  const s2 = f32x4.mul(s, s);
  let p = f32x4.splat(1.0 / 9.0);
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(1.0 / 7.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(1.0 / 5.0));
  p = f32x4.add(f32x4.mul(p, s2), f32x4.splat(1.0 / 3.0));
  // ln m = 2s + 2s s^2 p
  const twoS = f32x4.add(s, s);
  const lnm = f32x4.add(twoS, f32x4.mul(f32x4.mul(twoS, s2), p));
  const ef = f32x4.convert_i32x4_s(e);
  let r = f32x4.add(f32x4.mul(ef, f32x4.splat(LN2_HI)), f32x4.add(lnm, f32x4.mul(ef, f32x4.splat(LN2_LO))));
  // specials: x == 0 -> -inf, x < 0 or NaN -> NaN, +inf -> +inf
  r = v128.bitselect(f32x4.splat(-Infinity), r, f32x4.eq(x, f32x4.splat(0)));
  r = v128.bitselect(f32x4.splat(NaN), r, f32x4.ne(x, x));
  r = v128.bitselect(f32x4.splat(NaN), r, f32x4.lt(x, f32x4.splat(0)));
  return v128.bitselect(x, r, f32x4.eq(x, f32x4.splat(Infinity)));
}

/** tanh per lane: sign(x) * u / (u + 2) with u = expm1(2|x|), |x| clamped to 10 (tanh = 1 in f32 there). */
// @ts-ignore: decorator
@inline
export function tanh4(x: v128): v128 {
  const sign = v128.and(x, f32x4.splat(-0.0));
  const ax = f32x4.pmin(f32x4.abs(x), f32x4.splat(10.0)); // NaN kept
  const u = expm1_4(f32x4.add(ax, ax));
  const t = f32x4.div(u, f32x4.add(u, f32x4.splat(2.0)));
  return v128.or(t, sign);
}

/** 1 / (1 + e^-x) per lane, as e^x / (1 + e^x) for x < 0 (no overflow, relative accuracy kept in the tail). */
// @ts-ignore: decorator
@inline
export function sigmoid4(x: v128): v128 {
  const e = exp4(f32x4.neg(f32x4.abs(x))); // e^-|x| in (0, 1]
  const r = f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), e));
  return v128.bitselect(f32x4.mul(e, r), r, f32x4.lt(x, f32x4.splat(0)));
}

/**
 * x^2 = xh^2 + xl (|x| + xh) split for |x| = ax: xh keeps the top 12 significand bits
 * of ax, so -xh^2/2 is exact in f32 and exp of it has no argument error; the small
 * rest d = -xl (ax + xh) / 2 is returned through `gaussRest`.
 */
// @ts-ignore: decorator
@inline
function gaussHead(ax: v128): v128 {
  const xh = v128.and(ax, i32x4.splat(0xfffff000));
  return f32x4.mul(f32x4.splat(-0.5), f32x4.mul(xh, xh));
}

// @ts-ignore: decorator
@inline
function gaussRest(ax: v128): v128 {
  const xh = v128.and(ax, i32x4.splat(0xfffff000));
  return f32x4.mul(f32x4.splat(-0.5), f32x4.mul(f32x4.sub(ax, xh), f32x4.add(ax, xh)));
}

/**
 * The exponent polynomial of the reference's erfc fit (Numerical Recipes' Chebyshev
 * fit, relative error < 1.2e-7): erfc(z) = t exp(-z^2 + P(t)), t = 1 / (1 + z/2).
 */
// @ts-ignore: decorator
@inline
function erfcPoly(t: v128): v128 {
  let p = f32x4.splat(0.17087277);
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.82215223));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.48851587));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.13520398));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.27886807));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(-0.18628806));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.09678418));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(0.37409196));
  p = f32x4.add(f32x4.mul(p, t), f32x4.splat(1.00002368));
  return f32x4.add(f32x4.mul(p, t), f32x4.splat(-1.26551223));
}

/** |x| clamped to 20 (where Phi(-|x|) and the density are 0 in f32), NaN kept. */
// @ts-ignore: decorator
@inline
function absClamped(x: v128): v128 {
  return f32x4.pmin(f32x4.abs(x), f32x4.splat(20.0));
}

/** 1 / (1 + |x| / (2 sqrt 2)), the t of the erfc fit at z = |x| / sqrt 2. */
// @ts-ignore: decorator
@inline
function erfcT(ax: v128): v128 {
  return f32x4.div(f32x4.splat(1.0), f32x4.add(f32x4.splat(1.0), f32x4.mul(f32x4.splat(0.35355339), ax)));
}

/**
 * GELU (exact, erf form) per lane: x Phi(x), Phi the standard normal CDF, taken as
 * 1 - Phi(-|x|) or Phi(-|x|) so there is no cancellation for x < 0.
 */
// @ts-ignore: decorator
@inline
export function gelu4(x: v128): v128 {
  const ax = absClamped(x);
  const t = erfcT(ax);
  // Phi(-|x|) = erfc(|x|/sqrt2) / 2 = t/2 exp(-x^2/2 + P(t))
  const tail = f32x4.mul(f32x4.mul(f32x4.splat(0.5), t), expHiLo4(gaussHead(ax), f32x4.add(erfcPoly(t), gaussRest(ax))));
  const cdf = v128.bitselect(tail, f32x4.sub(f32x4.splat(1.0), tail), f32x4.lt(x, f32x4.splat(0)));
  return f32x4.mul(x, cdf);
}

/** d/dx GELU per lane: Phi(x) + x phi(x), phi the standard normal density. */
// @ts-ignore: decorator
@inline
export function geluGrad4(x: v128): v128 {
  const ax = absClamped(x);
  const t = erfcT(ax);
  const head = gaussHead(ax), rest = gaussRest(ax);
  const tail = f32x4.mul(f32x4.mul(f32x4.splat(0.5), t), expHiLo4(head, f32x4.add(erfcPoly(t), rest)));
  const cdf = v128.bitselect(tail, f32x4.sub(f32x4.splat(1.0), tail), f32x4.lt(x, f32x4.splat(0)));
  const pdf = f32x4.mul(f32x4.splat(0.39894228), expHiLo4(head, rest)); // exp(-x^2/2) / sqrt(2 pi)
  return f32x4.add(cdf, f32x4.mul(x, pdf));
}
