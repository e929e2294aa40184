// Per-member curves as they are recorded: one array per metric, aligned on `step`.
// The gradient norm and update ratio at step s belong to the update from s to s+1;
// the last step has none (NaN).

import type { EvalMetrics } from "./evaluate.js";

export const METRICS = [
  "train_loss", "test_loss", "train_acc", "test_acc",
  "grad_norm", "param_norm", "update_ratio", "lr", "wall_time",
] as const;
export type MetricName = (typeof METRICS)[number];

/** The standard metrics, plus optional ones (sharpness, `norm:<param>`, `erank:<param>`). */
export type Curves = Record<string, number[]> & { step: number[] } & { [K in MetricName]: number[] };

export interface MemberResult {
  status: "completed" | "diverged";
  /** the step whose update made the member diverge */
  divergedAt: number | null;
  curves: Curves;
}

export class MemberRecorder {
  private readonly curves = {
    step: [], train_loss: [], test_loss: [], train_acc: [], test_acc: [],
    grad_norm: [], param_norm: [], update_ratio: [], lr: [], wall_time: [],
  } as unknown as Curves;
  private divergedAt: number | null = null;
  private readonly extra = new Set<string>();

  record(step: number, m: EvalMetrics, lr: number, wallSeconds: number): void {
    if (this.divergedAt !== null) return;
    const c = this.curves;
    c.step.push(step);
    c.train_loss.push(m.train_loss);
    c.test_loss.push(m.test_loss);
    c.train_acc.push(m.train_acc ?? NaN);
    c.test_acc.push(m.test_acc ?? NaN);
    c.param_norm.push(m.param_norm);
    c.lr.push(lr);
    c.wall_time.push(wallSeconds);
    c.grad_norm.push(NaN);
    c.update_ratio.push(NaN);
    for (const name of this.extra) c[name]!.push(NaN);
  }

  /** Sets an optional metric at the latest evaluation (other evaluations stay NaN). */
  recordExtra(step: number, name: string, value: number): void {
    const i = this.curves.step.length - 1;
    if (i < 0 || this.curves.step[i] !== step) return;
    if (!this.extra.has(name)) {
      this.extra.add(name);
      this.curves[name] = new Array<number>(this.curves.step.length).fill(NaN);
    }
    this.curves[name]![i] = value;
  }

  /** Fills the gradient norm and update ratio of the evaluation at `step`. */
  recordUpdate(step: number, gradNorm: number, updateRatio: number): void {
    const i = this.curves.step.length - 1;
    if (i < 0 || this.curves.step[i] !== step) return;
    this.curves.grad_norm[i] = gradNorm;
    this.curves.update_ratio[i] = updateRatio;
  }

  diverge(step: number): void {
    if (this.divergedAt === null) this.divergedAt = step;
  }

  finish(_steps: number): MemberResult {
    return { status: this.divergedAt === null ? "completed" : "diverged", divergedAt: this.divergedAt, curves: this.curves };
  }
}
