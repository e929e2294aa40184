// The ensemble network: M MLPs held as ONE engine population (weights [M, in, out],
// biases [M, 1, out]), so a forward pass of every member over a batch is one matmul
// per layer. Input = standardized config encoding ⊕ prefix encoding (the observed
// part of the curves, with a mask and the cutoff); output per member = mean and
// log-variance of every CURVE_METRIC x CURVE_POINT (in normalized units) and one
// logit per EVENT_KIND. Training lives in ensemble-train.ts.

import { Engine, F, Rng, Stream, type Tensor } from "../engine/index.js";
import { CURVE_FRACTIONS, CURVE_METRICS, CURVE_POINTS, EVENT_KINDS } from "./types.js";

/** curve outputs: metric-major, point k of metric m at m * CURVE_POINTS + k */
export const CURVE_OUTPUTS = CURVE_METRICS.length * CURVE_POINTS;
export const EVENT_OUTPUTS = EVENT_KINDS.length;
export const NET_OUTPUTS = 2 * CURVE_OUTPUTS + EVENT_OUTPUTS;
/** observed values, their mask, the cutoff on a 0..1 log scale, and a has-prefix flag */
export const PREFIX_DIMS = 2 * CURVE_OUTPUTS + 2;
export const LOGVAR_MIN = -9;
export const LOGVAR_MAX = 5;
/** raw output -> log-variance is LOGVAR_MIN + (MAX - MIN) * sigmoid(raw + OFFSET): smooth, bounded, 0 at raw 0 */
export const LOGVAR_OFFSET = Math.log(-LOGVAR_MIN / LOGVAR_MAX);
export const squashLogVarValue = (raw: number): number => LOGVAR_MIN + (LOGVAR_MAX - LOGVAR_MIN) / (1 + Math.exp(-(raw + LOGVAR_OFFSET)));

export interface NetShape {
  members: number;
  inputs: number;
  hidden: number[];
  outputs: number;
}

/** layer sizes of a net shape: inputs, hidden..., outputs */
const sizesOf = (s: NetShape): number[] => [s.inputs, ...s.hidden, s.outputs];

/** Float counts of each parameter tensor (all members), in order W0, b0, W1, b1, ... */
export function paramSizes(s: NetShape): number[] {
  const sizes = sizesOf(s);
  const out: number[] = [];
  for (let l = 0; l + 1 < sizes.length; l++) out.push(s.members * sizes[l]! * sizes[l + 1]!, s.members * sizes[l + 1]!);
  return out;
}

export class EnsembleNet {
  readonly params: Tensor[];

  private constructor(readonly engine: Engine, readonly shape: NetShape, weights: readonly Float32Array[]) {
    const sizes = sizesOf(shape);
    const P = shape.members;
    this.params = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      this.params.push(engine.parameter(weights[2 * l]!, [P, sizes[l]!, sizes[l + 1]!]));
      this.params.push(engine.parameter(weights[2 * l + 1]!, [P, 1, sizes[l + 1]!]));
    }
  }

  /** Fresh weights: member m's init depends only on (seed, m, layer); the last layer starts small. */
  static init(engine: Engine, shape: NetShape, seed: number): EnsembleNet {
    const sizes = sizesOf(shape);
    const weights: Float32Array[] = [];
    for (let l = 0; l + 1 < sizes.length; l++) {
      const [fanIn, fanOut] = [sizes[l]!, sizes[l + 1]!];
      const last = l + 2 === sizes.length;
      const w = new Float32Array(shape.members * fanIn * fanOut);
      for (let m = 0; m < shape.members; m++) {
        const rng = new Rng((seed * 7919 + m) >>> 0, Stream.init, l * 1_000_000);
        const std = (last ? 0.1 : Math.SQRT2) / Math.sqrt(fanIn);
        for (let i = 0; i < fanIn * fanOut; i++) w[m * fanIn * fanOut + i] = std * rng.normal();
      }
      weights.push(w, new Float32Array(shape.members * fanOut));
    }
    return new EnsembleNet(engine, shape, weights);
  }

  static fromWeights(engine: Engine, shape: NetShape, weights: readonly Float32Array[]): EnsembleNet {
    const want = paramSizes(shape);
    if (weights.length !== want.length || weights.some((w, i) => w.length !== want[i])) {
      throw new Error(`ensemble: weights do not match the shape ${JSON.stringify(shape)}`);
    }
    return new EnsembleNet(engine, shape, weights);
  }

  /**
   * x: [P or 1, B, inputs] -> [P, B, outputs]. With `firstWeight` (the first
   * layer's weight cut to x's width, see configOnlyWeight) x may hold only the
   * leading columns: the rest of the input must be zero.
   */
  forward(x: Tensor, firstWeight?: Tensor): Tensor {
    let h = x;
    for (let l = 0; l < this.params.length; l += 2) {
      h = F.add(F.matmul(h, l === 0 && firstWeight ? firstWeight : this.params[l]!), this.params[l + 1]!);
      if (l + 2 < this.params.length) h = F.gelu(h);
    }
    return h;
  }

  /** The first layer's weight rows of the config encoding only [P, inputs - PREFIX_DIMS, hidden] (a copy; the caller disposes it). */
  configOnlyWeight(): Tensor {
    return this.engine.noGrad(() => F.slice(this.params[0]!, 1, 0, this.shape.inputs - PREFIX_DIMS));
  }

  weights(): Float32Array[] {
    return this.params.map((p) => p.toFloat32());
  }

  /** Member m's slice of every parameter (copies). */
  memberWeights(m: number): Float32Array[] {
    const P = this.shape.members;
    return this.params.map((p) => {
      const per = p.size / P;
      const start = p.ptr / 4 + m * per;
      return this.engine.heap.f32.slice(start, start + per);
    });
  }

  setMemberWeights(m: number, weights: readonly Float32Array[]): void {
    const P = this.shape.members;
    this.params.forEach((p, i) => {
      const per = p.size / P;
      this.engine.heap.f32.set(weights[i]!, p.ptr / 4 + m * per);
    });
  }

  dispose(): void {
    for (const p of this.params) p.dispose();
  }
}

/** The cutoff index of a fraction: the last curve point observed at `upToFraction` (-1: none). */
export function cutoffIndex(upToFraction: number): number {
  let c = -1;
  for (let k = 0; k < CURVE_POINTS; k++) if (CURVE_FRACTIONS[k]! <= upToFraction * (1 + 1e-9)) c = k;
  return c;
}

/**
 * Writes the prefix encoding at `out[offset..]`: normalized curve values at points
 * <= cutoff (metric-major, 0 where not finite), their mask, the cutoff position on
 * a 0..1 log scale and a has-prefix flag. `normalized` holds CURVE_OUTPUTS values.
 */
export function writePrefix(normalized: ArrayLike<number> | null, cutoff: number, out: Float32Array, offset: number): void {
  out.fill(0, offset, offset + PREFIX_DIMS);
  if (!normalized || cutoff < 0) return;
  for (let m = 0; m < CURVE_METRICS.length; m++) {
    for (let k = 0; k <= cutoff; k++) {
      const j = m * CURVE_POINTS + k;
      const v = normalized[j]!;
      if (Number.isFinite(v)) {
        out[offset + j] = v;
        out[offset + CURVE_OUTPUTS + j] = 1;
      }
    }
  }
  out[offset + 2 * CURVE_OUTPUTS] = (Math.log10(CURVE_FRACTIONS[cutoff]!) + 2) / 2;
  out[offset + 2 * CURVE_OUTPUTS + 1] = 1;
}

/**
 * The anchor of each metric: its last finite observed (normalized) value at points
 * <= cutoff, else 0 (the training mean). The net predicts curve means relative to
 * it, so "the curve stays near where it was last seen" is the default it departs
 * from, rather than something it must learn to copy from its input.
 */
export function prefixAnchors(normalized: ArrayLike<number> | null, cutoff: number, out: Float64Array | Float32Array, offset = 0): void {
  for (let m = 0; m < CURVE_METRICS.length; m++) {
    let a = 0;
    if (normalized) {
      for (let k = cutoff; k >= 0; k--) {
        const v = normalized[m * CURVE_POINTS + k]!;
        if (Number.isFinite(v)) {
          a = v;
          break;
        }
      }
    }
    out[offset + m] = a;
  }
}

export interface RawPrediction {
  /** members x rows x CURVE_OUTPUTS normalized means */
  mean: Float32Array;
  /** members x rows x CURVE_OUTPUTS normalized (aleatoric) variances */
  variance: Float32Array;
  /** members x rows x EVENT_OUTPUTS logits */
  logits: Float32Array;
  rows: number;
}

/** Whether rows [start, start + n) carry no prefix (the has-prefix flag is the prefix block's last column). */
function configOnly(inputs: Float32Array, IN: number, start: number, n: number): boolean {
  for (let r = start; r < start + n; r++) if (inputs[r * IN + IN - 1] !== 0) return false;
  return true;
}

/**
 * Every member's outputs for `rows` input rows (row-major [rows, inputs]), in
 * chunks. A chunk of config-only rows skips the prefix block of the first layer
 * (its input is all zeros): about 40% less arithmetic for the common query.
 */
export function predictRaw(net: EnsembleNet, inputs: Float32Array, rows: number, chunk = 2048): RawPrediction {
  const { members: P, inputs: IN } = net.shape;
  const D = IN - PREFIX_DIMS;
  const mean = new Float32Array(P * rows * CURVE_OUTPUTS);
  const variance = new Float32Array(P * rows * CURVE_OUTPUTS);
  const logits = new Float32Array(P * rows * EVENT_OUTPUTS);
  const engine = net.engine;
  const firstWeight = engine.keep(net.configOnlyWeight());
  try {
    for (let start = 0; start < rows; start += chunk) {
      const n = Math.min(chunk, rows - start);
      engine.noGrad(() => engine.scope(() => {
        let out: Tensor;
        if (configOnly(inputs, IN, start, n)) {
          const x = new Float32Array(n * D);
          for (let r = 0; r < n; r++) x.set(inputs.subarray((start + r) * IN, (start + r) * IN + D), r * D);
          out = net.forward(engine.tensor(x, [1, n, D]), firstWeight);
        } else {
          out = net.forward(engine.tensor(inputs.subarray(start * IN, (start + n) * IN), [1, n, IN]));
        }
        // plain index loops: a subarray per row would allocate millions of views per large batch
        const heap = engine.heap.f32, base = out.ptr / 4;
        for (let p = 0; p < P; p++) {
          for (let r = 0; r < n; r++) {
            const src = base + (p * n + r) * NET_OUTPUTS;
            const dst = (p * rows + start + r) * CURVE_OUTPUTS;
            for (let j = 0; j < CURVE_OUTPUTS; j++) {
              mean[dst + j] = heap[src + j]!;
              variance[dst + j] = Math.exp(squashLogVarValue(heap[src + CURVE_OUTPUTS + j]!));
            }
            const dstEvents = (p * rows + start + r) * EVENT_OUTPUTS;
            for (let e = 0; e < EVENT_OUTPUTS; e++) logits[dstEvents + e] = heap[src + 2 * CURVE_OUTPUTS + e]!;
          }
        }
      }));
    }
  } finally {
    firstWeight.dispose();
  }
  return { mean, variance, logits, rows };
}
