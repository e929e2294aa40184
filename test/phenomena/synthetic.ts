// Synthetic training curves for the detector tests: log-spaced steps, shapes
// given as knots in (log10(1 + step), log10(value)) or as sigmoids in log-step,
// with small deterministic multiplicative noise.

import type { RunView } from "../../src/phenomena/detector.js";

/** 0 and ~20 log-spaced steps per decade up to maxStep */
export function logSteps(maxStep = 100_000, perDecade = 20): number[] {
  const out = new Set<number>([0]);
  const decades = Math.log10(maxStep);
  for (let k = 0; k <= decades * perDecade; k++) out.add(Math.round(10 ** (k / perDecade)));
  return [...out].sort((a, b) => a - b);
}

export const x = (step: number): number => Math.log10(1 + step);

/** a function of step, piecewise linear in (log-step, log10 value) through the knots */
export function knots(points: [number, number][]): (step: number) => number {
  return (step) => {
    const xs = x(step);
    if (xs <= points[0]![0]) return 10 ** points[0]![1];
    for (let i = 1; i < points.length; i++) {
      const [x0, y0] = points[i - 1]!, [x1, y1] = points[i]!;
      if (xs <= x1) return 10 ** (y0 + ((y1 - y0) * (xs - x0)) / (x1 - x0));
    }
    return 10 ** points[points.length - 1]![1];
  };
}

/** 0 -> 1 around `center`, `width` in decades of step */
export function sig(step: number, center: number, width = 0.1): number {
  return 1 / (1 + Math.exp(-(x(step) - x(center)) / width));
}

/** accuracy from chance to 1 around center */
export const acc = (center: number, chance = 0.1) => (s: number): number => chance + (1 - chance) * sig(s, center);

/** loss from `from` to `to` (geometrically) around center */
export const fall = (center: number, from = 2, to = 0.01, width = 0.1) => (s: number): number =>
  from * (to / from) ** sig(s, center, width);

/** a power law a * (1 + s)^-p */
export const power = (a = 2, p = 0.5) => (s: number): number => a * (1 + s) ** -p;

/** deterministic noise in [1 - amp, 1 + amp] */
function noise(seed: number, amp: number): () => number {
  let t = seed >>> 0;
  return () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    const u = ((r ^ (r >>> 14)) >>> 0) / 4294967296;
    return 1 + amp * (2 * u - 1);
  };
}

export interface RunSpec {
  id?: string;
  status?: "completed" | "diverged";
  divergedAt?: number | null;
  steps?: number[];
  /** metric -> function of step (or explicit values aligned on steps) */
  metrics: Record<string, ((step: number) => number) | number[]>;
  /** multiplicative noise amplitude on losses (default 0.03) */
  noise?: number;
  config?: unknown;
}

let counter = 0;

export function run(spec: RunSpec): RunView {
  const steps = spec.steps ?? logSteps();
  const curves: RunView["curves"] = {};
  const amp = spec.noise ?? 0.03;
  let seed = 17;
  for (const [name, f] of Object.entries(spec.metrics)) {
    const rand = noise(seed++, name.endsWith("loss") ? amp : 0);
    const values = typeof f === "function" ? steps.map((s) => f(s) * rand()) : f;
    curves[name] = { steps: Int32Array.from(steps), values: Float64Array.from(values) };
  }
  return {
    id: spec.id ?? `run-${++counter}`,
    status: spec.status ?? "completed",
    divergedAt: spec.divergedAt ?? null,
    curves,
    config: spec.config,
  };
}

/** steps up to and including maxStep */
export const stepsUpTo = (maxStep: number): number[] => logSteps().filter((s) => s <= maxStep);
