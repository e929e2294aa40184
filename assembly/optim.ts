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
  for (let i = 0; i < n; i += 4) {
    const w = min(4, n - i);
    const o = <usize>i << 2;
    const p = loadPartial(param + o, w);
    let g = f32x4.add(f32x4.mul(loadPartial(grad + o, w), vgs), f32x4.mul(vwd, p));
    if (useMomentum) {
      const b = first ? g : f32x4.add(f32x4.mul(vmom, loadPartial(buf + o, w)), f32x4.mul(vdamp, g));
      storePartial(buf + o, b, w);
      g = nest ? f32x4.add(g, f32x4.mul(vmom, b)) : b;
    }
    storePartial(param + o, f32x4.sub(p, f32x4.mul(vlr, g)), w);
  }
}

/**
 * g = grad*gradScale (+ wd*param unless decoupled); param *= 1 - lr*wd when decoupled;
 * m = b1*m + (1-b1)*g; v = b2*v + (1-b2)*g^2; param -= lr/bc1 * m / (sqrt(v/bc2) + eps).
 * param: [n], grad: [n], m: [n], v: [n]
 */
export function adamStep(param: usize, grad: usize, m: usize, v: usize, n: i32,
  lr: f64, b1: f64, b2: f64, eps: f64, wd: f64, bc1: f64, bc2: f64, decoupled: i32, gradScale: f64): void {
  const vb1 = f32x4.splat(<f32>b1), vb1c = f32x4.splat(<f32>(1 - b1));
  const vb2 = f32x4.splat(<f32>b2), vb2c = f32x4.splat(<f32>(1 - b2));
  const vstep = f32x4.splat(<f32>(lr / bc1)), vbc2 = f32x4.splat(<f32>bc2), veps = f32x4.splat(<f32>eps);
  const vgs = f32x4.splat(<f32>gradScale), vwd = f32x4.splat(<f32>wd), vdecay = f32x4.splat(<f32>(1 - lr * wd));
  const dec = decoupled != 0;
  for (let i = 0; i < n; i += 4) {
    const w = min(4, n - i);
    const o = <usize>i << 2;
    let p = loadPartial(param + o, w);
    let g = f32x4.mul(loadPartial(grad + o, w), vgs);
    if (dec) p = f32x4.mul(p, vdecay);
    else g = f32x4.add(g, f32x4.mul(vwd, p));
    const mi = f32x4.add(f32x4.mul(vb1, loadPartial(m + o, w)), f32x4.mul(vb1c, g));
    const vi = f32x4.add(f32x4.mul(vb2, loadPartial(v + o, w)), f32x4.mul(f32x4.mul(vb2c, g), g));
    storePartial(m + o, mi, w);
    storePartial(v + o, vi, w);
    const den = f32x4.add(f32x4.sqrt(f32x4.div(vi, vbc2)), veps);
    storePartial(param + o, f32x4.sub(p, f32x4.div(f32x4.mul(vstep, mi), den)), w);
  }
}
