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

/** log-variance from the raw variance outputs (elementwise) */
export function squashLogVar(raw: Tensor): Tensor {
  return F.affine(F.sigmoid(F.addScalar(raw, LOGVAR_OFFSET)), LOGVAR_MAX - LOGVAR_MIN, LOGVAR_MIN);
}

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
 * <= cutoff, else `base` (the run's chance level, chance.ts, or 0: the training
 * mean). The net predicts curve means relative to it, so "the curve stays near
 * where it was last seen" is the default it departs from, rather than something
 * it must learn to copy from its input.
 */
export function prefixAnchors(
  normalized: ArrayLike<number> | null, cutoff: number, out: Float64Array | Float32Array, offset = 0, base: ArrayLike<number> | null = null, baseOffset = 0,
): void {
  for (let m = 0; m < CURVE_METRICS.length; m++) {
    let a = base ? base[baseOffset + m]! : 0;
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
