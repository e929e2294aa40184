// Adam (L2 weight decay added to the gradient) and AdamW (decoupled weight decay,
// param *= 1 - lr * wd), with PyTorch's bias correction and epsilon placement.

import type { Tensor } from "../tensor.js";
import { Optimizer, perMember, type CommonOptions, type PerMember } from "./optimizer.js";

export interface AdamOptions extends CommonOptions {
  beta1?: PerMember;
  beta2?: PerMember;
  eps?: number;
}

export class Adam extends Optimizer {
  readonly beta1: Float64Array;
  readonly beta2: Float64Array;
  private readonly eps: number;
  private readonly m: Tensor[];
  private readonly v: Tensor[];

  constructor(params: Tensor[], options: AdamOptions, readonly decoupled = false) {
    super(params, options);
    this.beta1 = perMember(options.beta1 ?? 0.9, this.members, "beta1");
    this.beta2 = perMember(options.beta2 ?? 0.999, this.members, "beta2");
    this.eps = options.eps ?? 1e-8;
    this.m = this.stateLike();
    this.v = this.stateLike();
  }

  protected update(i: number, param: Tensor, grad: Tensor, mem: number, lr: number, gradScale: number): void {
    const [p, n] = this.slice(param, mem);
    const [g] = this.slice(grad, mem);
    const [m] = this.slice(this.m[i]!, mem);
    const [v] = this.slice(this.v[i]!, mem);
    const b1 = this.beta1[mem]!, b2 = this.beta2[mem]!, t = this.stepCount + 1;
    this.engine.kernels.adamStep(p, g, m, v, n, lr, b1, b2, this.eps, this.weightDecay[mem]!,
      1 - Math.pow(b1, t), 1 - Math.pow(b2, t), this.decoupled ? 1 : 0, gradScale);
  }

  stateTensors(): Tensor[] {
    return [...this.m, ...this.v];
  }
}

export class AdamW extends Adam {
  constructor(params: Tensor[], options: AdamOptions) {
    super(params, { weightDecay: 0.01, ...options }, true);
  }
}
