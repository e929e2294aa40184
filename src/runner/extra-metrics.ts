// The costlier metrics a run can switch on in its `log` section:
// - sharpness: the top eigenvalue of the training loss's Hessian, by power iteration
//   on Hessian-vector products (central differences of gradients; warm-started from
//   the previous evaluation's eigenvector), per member;
// - per-parameter norms (`norm:<param>`);
// - effective rank of every weight matrix (`erank:<param>`): exp of the entropy of its
//   normalized singular values (Roy & Vetterli 2007).

import { backward, type Engine, type Tensor } from "../engine/index.js";
import type { Model } from "../universe/model.js";
import { Rng } from "../engine/rng.js";

const POWER_ITERATIONS = 20;
/** step of the central difference, relative to a unit direction */
const HVP_EPS = 1e-3;

export interface Batch { x: Tensor; y: Tensor; n: number }

/** Gradient of the mean loss over the chunks, per parameter (all members). */
function gradients(engine: Engine, model: Model, chunks: Batch[]): Float32Array[] {
  const total = chunks.reduce((s, c) => s + c.n, 0);
  for (const p of model.params) {
    p.tensor.grad?.dispose();
    p.tensor.grad = null;
  }
  for (const c of chunks) {
    engine.scope(() => {
      const loss = model.loss(model.forward(c.x, { training: false, step: 0, dropoutSeeds: [] }), c.y);
      backward(loss, engine.full(loss.shape, c.n / total));
    });
  }
  return model.params.map((p) => {
    const g = p.tensor.grad ? p.tensor.grad.toFloat32() : new Float32Array(p.tensor.size);
    p.tensor.grad?.dispose();
    p.tensor.grad = null;
    return g;
  });
}

/** Per member m: sum over parameters of f(slice of a, slice of b). */
function perMember(model: Model, arrays: Float32Array[], other: Float32Array[], f: (a: number, b: number) => number): Float64Array {
  const P = model.members;
  const out = new Float64Array(P);
  arrays.forEach((a, i) => {
    const b = other[i]!;
    const per = a.length / P;
    for (let k = 0; k < a.length; k++) {
      const m = Math.floor(k / per);
      out[m] = out[m]! + f(a[k]!, b[k]!);
    }
  });
  return out;
}

export class SharpnessTracker {
  private direction: Float32Array[] | null = null;

  /** Top Hessian eigenvalue of the loss on `chunks`, per member. Leaves parameters unchanged. */
  measure(engine: Engine, model: Model, chunks: Batch[]): Float64Array {
    const P = model.members;
    const theta = model.params.map((p) => p.tensor.toFloat32());
    if (!this.direction) {
      const rng = new Rng(12345, 0);
      this.direction = theta.map((t) => Float32Array.from(t, () => rng.normal()));
    }
    let v = this.normalize(model, this.direction);
    let eigen: Float64Array = new Float64Array(P);
    for (let it = 0; it < POWER_ITERATIONS; it++) {
      const at = (sign: number) => {
        model.params.forEach((p, i) => p.tensor.set(theta[i]!.map((t, k) => t + sign * HVP_EPS * v[i]![k]!)));
        return gradients(engine, model, chunks);
      };
      const plus = at(1), minus = at(-1);
      const hv = plus.map((g, i) => g.map((gp, k) => (gp - minus[i]![k]!) / (2 * HVP_EPS)));
      eigen = perMember(model, v, hv, (a, b) => a * b);
      v = this.normalize(model, hv);
    }
    model.params.forEach((p, i) => p.tensor.set(theta[i]!));
    this.direction = v;
    return eigen;
  }

  /** Scales each member's slice of the direction to unit norm. */
  private normalize(model: Model, d: Float32Array[]): Float32Array[] {
    const P = model.members;
    const norms = perMember(model, d, d, (a) => a * a).map(Math.sqrt);
    return d.map((a) => {
      const per = a.length / P;
      return a.map((x, k) => {
        const n = norms[Math.floor(k / per)]!;
        return n > 0 ? x / n : 0;
      });
    });
  }
}

/** Norm of every parameter, per member: name -> [P]. */
export function parameterNorms(engine: Engine, model: Model): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const { name, tensor } of model.params) {
    const per = tensor.size / model.members;
    out.set(name, Float64Array.from({ length: model.members }, (_, m) => Math.sqrt(engine.kernels.sumSquares(tensor.ptr + m * per * 4, per))));
  }
  return out;
}

/** Eigenvalues of a symmetric matrix (row-major n x n, float64) by cyclic Jacobi rotations. */
export function symmetricEigenvalues(a: Float64Array, n: number): Float64Array {
  const m = Float64Array.from(a);
  for (let sweep = 0; sweep < 60; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += m[i * n + j]! ** 2;
    if (off < 1e-22) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q]!;
        if (Math.abs(apq) < 1e-300) continue;
        const theta = (m[q * n + q]! - m[p * n + p]!) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) {
          const akp = m[k * n + p]!, akq = m[k * n + q]!;
          m[k * n + p] = c * akp - s * akq;
          m[k * n + q] = s * akp + c * akq;
        }
        for (let k = 0; k < n; k++) {
          const apk = m[p * n + k]!, aqk = m[q * n + k]!;
          m[p * n + k] = c * apk - s * aqk;
          m[q * n + k] = s * apk + c * aqk;
        }
      }
    }
  }
  return Float64Array.from({ length: n }, (_, i) => m[i * n + i]!);
}

/** Effective rank of a rows x cols matrix: exp(entropy of singular values / their sum). */
export function effectiveRank(w: Float32Array, rows: number, cols: number): number {
  const k = Math.min(rows, cols);
  const gram = new Float64Array(k * k); // W^T W or W W^T, whichever is smaller
  for (let i = 0; i < k; i++) {
    for (let j = i; j < k; j++) {
      let s = 0;
      if (cols <= rows) for (let r = 0; r < rows; r++) s += w[r * cols + i]! * w[r * cols + j]!;
      else for (let c = 0; c < cols; c++) s += w[i * cols + c]! * w[j * cols + c]!;
      gram[i * k + j] = s;
      gram[j * k + i] = s;
    }
  }
  const singular = Array.from(symmetricEigenvalues(gram, k), (e) => Math.sqrt(Math.max(e, 0)));
  const total = singular.reduce((a, b) => a + b, 0);
  if (total === 0) return 0;
  let entropy = 0;
  for (const s of singular) if (s > 0) entropy -= (s / total) * Math.log(s / total);
  return Math.exp(entropy);
}

/** Effective rank of every parameter with at least two dims per member: name -> [P]. */
export function effectiveRanks(model: Model): Map<string, Float64Array> {
  const out = new Map<string, Float64Array>();
  for (const { name, tensor } of model.params) {
    const shape = tensor.shape.slice(1);
    const cols = shape[shape.length - 1]!;
    const rows = shape.slice(0, -1).reduce((a, b) => a * b, 1);
    if (shape.length < 2 || rows < 2 || cols < 2) continue;
    const all = tensor.toFloat32();
    const per = rows * cols;
    out.set(name, Float64Array.from({ length: model.members }, (_, m) => effectiveRank(all.subarray(m * per, (m + 1) * per), rows, cols)));
  }
  return out;
}
