// SGD with momentum, dampening and Nesterov, with PyTorch's semantics (weight decay
// is L2, added to the gradient; the momentum buffer starts as the first gradient).

import type { Tensor } from "../tensor.js";
import { Optimizer, perMember, type CommonOptions, type PerMember } from "./optimizer.js";

export interface SgdOptions extends CommonOptions {
  momentum?: PerMember;
  dampening?: number;
  nesterov?: boolean;
}

export class Sgd extends Optimizer {
  readonly momentum: Float64Array;
  private readonly dampening: number;
  private readonly nesterov: boolean;
  private readonly buffers: Tensor[];

  constructor(params: Tensor[], options: SgdOptions) {
    super(params, options);
    this.momentum = perMember(options.momentum ?? 0, this.members, "momentum");
    this.dampening = options.dampening ?? 0;
    this.nesterov = options.nesterov ?? false;
    if (this.nesterov && (this.dampening !== 0 || this.momentum.some((m) => m <= 0))) {
      throw new Error("sgd: Nesterov momentum needs momentum > 0 and zero dampening");
    }
    // Plain SGD keeps no state: allocate momentum buffers only when some member uses momentum.
    this.buffers = this.momentum.some((m) => m !== 0) ? this.stateLike() : [];
  }

  protected update(i: number, param: Tensor, grad: Tensor, m: number, lr: number, gradScale: number): void {
    const [p, n] = this.slice(param, m);
    const [g] = this.slice(grad, m);
    const b = this.buffers.length > 0 ? this.slice(this.buffers[i]!, m)[0] : 0;
    this.engine.kernels.sgdStep(p, g, b, n, lr, this.momentum[m]!, this.dampening, this.weightDecay[m]!,
      this.nesterov ? 1 : 0, this.stepCount === 0 ? 1 : 0, gradScale);
  }

  stateTensors(): Tensor[] {
    return this.buffers;
  }
}
