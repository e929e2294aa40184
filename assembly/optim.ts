// Optimizer steps (PyTorch semantics) on one member's parameter slice: SGD with
// momentum / dampening / Nesterov / weight decay, and Adam / AdamW. f32x4 over the
// body, lane-partial vectors over the tail. Hyperparameters arrive as f64; the
// combinations the reference forms in f64 (1 - b1, lr / bc1, ...) are formed in
// f64 too and rounded to f32 once.

import { loadPartial, storePartial } from "./simd";

/**
 * g = grad*gradScale + wd*param; buf = momentum*buf + (1-dampening)*g (buf = g on the
 * first step); g = nesterov ? g + momentum*buf : buf; param -= lr*g. buf is untouched
 * when momentum == 0.
 * param: [n], grad: [n], buf: [n] (unused when momentum == 0)
 */
export function sgdStep(param: usize, grad: usize, buf: usize, n: i32,
  lr: f64, momentum: f64, dampening: f64, wd: f64, nesterov: i32, firstStep: i32, gradScale: f64): void {
  const vlr = f32x4.splat(<f32>lr), vmom = f32x4.splat(<f32>momentum), vdamp = f32x4.splat(<f32>(1 - dampening));
  const vwd = f32x4.splat(<f32>wd), vgs = f32x4.splat(<f32>gradScale);
  const useMomentum = momentum != 0, first = firstStep != 0, nest = nesterov != 0;
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) {
    sgdVec(param, grad, buf, <usize>i << 2, 4, vlr, vmom, vdamp, vwd, vgs, useMomentum, first, nest);
  }
  if (i < n) sgdVec(param, grad, buf, <usize>i << 2, n - i, vlr, vmom, vdamp, vwd, vgs, useMomentum, first, nest);
}

/** One vector (w lanes) of sgdStep at byte offset o. param, grad, buf: [w] at +o */
// @ts-ignore: decorator
@inline
function sgdVec(param: usize, grad: usize, buf: usize, o: usize, w: i32,
  vlr: v128, vmom: v128, vdamp: v128, vwd: v128, vgs: v128, useMomentum: bool, first: bool, nest: bool): void {
  const p = loadPartial(param + o, w);
  let g = f32x4.add(f32x4.mul(loadPartial(grad + o, w), vgs), f32x4.mul(vwd, p));
  if (useMomentum) {
    const b = first ? g : f32x4.add(f32x4.mul(vmom, loadPartial(buf + o, w)), f32x4.mul(vdamp, g));
    storePartial(buf + o, b, w);
    g = nest ? f32x4.add(g, f32x4.mul(vmom, b)) : b;
  }
  storePartial(param + o, f32x4.sub(p, f32x4.mul(vlr, g)), w);
}

/**
 * g = grad*gradScale (+ wd*param unless decoupled); param *= 1 - lr*wd when decoupled;
 * m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; param -= lr/bc1 * m / (sqrt(v/bc2) + eps).
 * param: [n], grad: [n], m: [n], v: [n]
 */
export function adamStep(param: usize, grad: usize, m: usize, v: usize, n: i32,
  lr: f64, b1: f64, b2: f64, eps: f64, wd: f64, bc1: f64, bc2: f64, decoupled: i32, gradScale: f64): void {
  const c = ADAM;
  v128.store(c, f32x4.splat(<f32>b1));
  v128.store(c, f32x4.splat(<f32>(1 - b1)), 16);
  v128.store(c, f32x4.splat(<f32>b2), 32);
  v128.store(c, f32x4.splat(<f32>(1 - b2)), 48);
  v128.store(c, f32x4.splat(<f32>(lr / bc1)), 64);
  v128.store(c, f32x4.splat(<f32>bc2), 80);
  v128.store(c, f32x4.splat(<f32>eps), 96);
  v128.store(c, f32x4.splat(<f32>gradScale), 112);
  v128.store(c, f32x4.splat(<f32>wd), 128);
  v128.store(c, f32x4.splat(<f32>(1 - lr * wd)), 144);
  const dec = decoupled != 0;
  const n4 = n & ~3;
  let i = 0;
  for (; i < n4; i += 4) adamVec(param, grad, m, v, <usize>i << 2, 4, dec);
  if (i < n) adamVec(param, grad, m, v, <usize>i << 2, n - i, dec);
}

/** adamStep's f32x4 constants: b1, 1-b1, b2, 1-b2, lr/bc1, bc2, eps, gradScale, wd, 1-lr*wd. */
const ADAM: usize = memory.data(160, 16);

/** One vector (w lanes) of adamStep at byte offset o. param, grad, m, v: [w] at +o */
// @ts-ignore: decorator
@inline
function adamVec(param: usize, grad: usize, m: usize, v: usize, o: usize, w: i32, dec: bool): void {
  const c = ADAM;
  let p = loadPartial(param + o, w);
  let g = f32x4.mul(loadPartial(grad + o, w), v128.load(c, 112));
  if (dec) p = f32x4.mul(p, v128.load(c, 144));
  else g = f32x4.add(g, f32x4.mul(v128.load(c, 128), p));
  const mi = f32x4.add(f32x4.mul(v128.load(c), loadPartial(m + o, w)), f32x4.mul(v128.load(c, 16), g));
  const vi = f32x4.add(f32x4.mul(v128.load(c, 32), loadPartial(v + o, w)), f32x4.mul(f32x4.mul(v128.load(c, 48), g), g));
  storePartial(m + o, mi, w);
  storePartial(v + o, vi, w);
  const den = f32x4.add(f32x4.sqrt(f32x4.div(vi, v128.load(c, 80))), v128.load(c, 96));
  storePartial(param + o, f32x4.sub(p, f32x4.div(f32x4.mul(v128.load(c, 64), mi), den)), w);
}
