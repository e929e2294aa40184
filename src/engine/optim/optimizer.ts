// The optimizer framework for populations: per-member hyperparameters, per-member
// gradient clipping, and freezing of members whose gradients are not finite.
//
// A parameter of a population has a leading member axis [P, ...]; member m owns the
// contiguous slice m. Each update kernel runs on one member's slice with that
// member's hyperparameters, so members never touch each other's numbers.

import type { Engine } from "../engine.js";
import type { Tensor } from "../tensor.js";
import { scheduleFactor, type Schedule } from "./schedule.js";

/** A hyperparameter given once for all members or once per member. */
export type PerMember = number | readonly number[];

export function perMember(value: PerMember, members: number, name: string): Float64Array {
  if (typeof value === "number") return new Float64Array(members).fill(value);
  if (value.length !== members) throw new Error(`optimizer: ${name} has ${value.length} values for ${members} members`);
  return Float64Array.from(value);
}

export interface CommonOptions {
  /** population size; every parameter's leading dim must equal it (1: no population axis needed) */
  members?: number;
  lr: PerMember;
  weightDecay?: PerMember;
  schedule?: Schedule;
  /** clip each member's global gradient norm to this value */
  clipNorm?: number;
}

export interface StepReport {
  /** per member: gradient global norm before clipping */
  gradNorm: Float64Array;
  /** members frozen during this step because their gradient was not finite */
  newlyFrozen: number[];
}

export abstract class Optimizer {
  readonly members: number;
  readonly lr: Float64Array;
  readonly weightDecay: Float64Array;
  readonly frozen: Uint8Array;
  /** number of completed updates */
  stepCount = 0;
  protected readonly engine: Engine;
  private readonly schedule: Schedule;
  private readonly clipNorm: number | undefined;

  constructor(readonly params: Tensor[], options: CommonOptions) {
    if (params.length === 0) throw new Error("optimizer: no parameters");
    this.engine = params[0]!.engine;
    this.members = options.members ?? 1;
    for (const p of params) {
      if (this.members > 1 && p.shape[0] !== this.members) {
        throw new Error(`optimizer: parameter [${p.shape.join(", ")}] lacks the member axis of ${this.members}`);
      }
    }
    this.lr = perMember(options.lr, this.members, "lr");
    this.weightDecay = perMember(options.weightDecay ?? 0, this.members, "weightDecay");
    this.frozen = new Uint8Array(this.members);
    this.schedule = options.schedule ?? { kind: "constant" };
    this.clipNorm = options.clipNorm;
  }

  /** Byte pointer and length of member m's slice of a tensor of the same shape as p. */
  protected slice(t: Tensor, m: number): [number, number] {
    const per = t.size / this.members;
    return [t.ptr + m * per * 4, per];
  }

  /** The learning rate member m uses at the current step. */
  currentLr(m: number): number {
    return this.lr[m]! * scheduleFactor(this.schedule, this.stepCount);
  }

  /** Applies one update from the parameters' .grad to every live member. */
  step(): StepReport {
    const k = this.engine.kernels;
    const gradNorm = new Float64Array(this.members);
    const newlyFrozen: number[] = [];
    const scales = new Float64Array(this.members).fill(1);
    for (let m = 0; m < this.members; m++) {
      if (this.frozen[m]) continue;
      let sq = 0, bad = 0;
      for (const p of this.params) {
        if (!p.grad) continue;
        const [ptr, n] = this.slice(p.grad, m);
        sq += k.sumSquares(ptr, n);
        bad += k.countNonFinite(ptr, n);
      }
      gradNorm[m] = Math.sqrt(sq);
      if (bad > 0 || !Number.isFinite(sq)) {
        this.frozen[m] = 1;
        newlyFrozen.push(m);
        continue;
      }
      if (this.clipNorm !== undefined) scales[m] = Math.min(1, this.clipNorm / (gradNorm[m]! + 1e-6));
    }
    this.params.forEach((p, i) => {
      if (!p.grad) return;
      for (let m = 0; m < this.members; m++) {
        if (!this.frozen[m]) this.update(i, p, p.grad, m, this.currentLr(m), scales[m]!);
      }
    });
    this.stepCount++;
    return { gradNorm, newlyFrozen };
  }

  /** Freezes members from outside (e.g. the loss of member m was not finite). */
  freeze(m: number): void {
    this.frozen[m] = 1;
  }

  /** Drops the gradients so the next backward starts from zero. */
  zeroGrad(): void {
    for (const p of this.params) {
      p.grad?.dispose();
      p.grad = null;
    }
  }

  /** Updates member m of parameter i in place. */
  protected abstract update(i: number, param: Tensor, grad: Tensor, m: number, lr: number, gradScale: number): void;

  /** Persistent zeroed state buffers shaped like each parameter. */
  protected stateLike(): Tensor[] {
    return this.params.map((p) => this.engine.keep(this.engine.zeros(p.shape)));
  }

  /**
   * The optimizer's state tensors, each shaped like its parameter (momentum
   * buffers; Adam's first and second moments), in a fixed order, for checkpoints.
   */
  abstract stateTensors(): Tensor[];

  /** Frees the optimizer state. */
  dispose(): void {
    for (const t of this.stateTensors()) t.dispose();
  }
}
