// Sweeps: a base experiment plus axes over any config path. Grid axes take every
// listed value (cartesian product); random axes draw `samples` points from
// distributions; `repeats` copies every point with consecutive seeds. Each point is
// an intervention list on the base, validated like any experiment.

import { z } from "zod";
import { Rng } from "../engine/rng.js";
import { applyInterventions, parsePath, type Intervention } from "../universe/config/intervention.js";
import { formatProblem } from "../universe/config/problems.js";
import { validateExperiment, type Validation } from "../universe/config/validate.js";

const distribution = z.union([
  z.strictObject({ uniform: z.tuple([z.number(), z.number()]) }),
  z.strictObject({ loguniform: z.tuple([z.number().positive(), z.number().positive()]) }),
  z.strictObject({ int: z.tuple([z.number().int(), z.number().int()]) }).describe("uniform integer, both ends included"),
  z.strictObject({ choice: z.array(z.unknown()).min(1) }),
]);

export const sweepSchema = z.strictObject({
  name: z.string().optional().describe("a label for the sweep"),
  base: z.union([z.string(), z.record(z.string(), z.unknown())]).describe("the base experiment: inline, or the name of a preset"),
  grid: z.record(z.string(), z.array(z.unknown()).min(1)).default({}).describe("path -> list of values; every combination is run"),
  random: z.record(z.string(), distribution).default({}).describe("path -> distribution; `samples` points are drawn"),
  samples: z.number().int().min(1).max(100_000).default(1).describe("random points (with random axes)"),
  repeats: z.number().int().min(1).max(1000).default(1).describe("copies of every point with consecutive seeds"),
  seedPaths: z.array(z.string()).default(["train.seed"]).describe("seed paths that repeats increment"),
  seed: z.number().int().min(0).default(0).describe("seed of the random axes"),
});

export type SweepSpec = z.output<typeof sweepSchema>;

export interface SweepPoint {
  interventions: Intervention[];
  validation: Validation;
}

function draw(d: z.infer<typeof distribution>, rng: Rng): unknown {
  if ("uniform" in d) return d.uniform[0] + (d.uniform[1] - d.uniform[0]) * rng.uniform();
  if ("loguniform" in d) return Math.exp(Math.log(d.loguniform[0]) + (Math.log(d.loguniform[1]) - Math.log(d.loguniform[0])) * rng.uniform());
  if ("int" in d) return d.int[0] + rng.int(d.int[1] - d.int[0] + 1);
  return d.choice[rng.int(d.choice.length)];
}

function cartesian(axes: [string, unknown[]][]): Intervention[][] {
  let out: Intervention[][] = [[]];
  for (const [path, values] of axes) {
    out = out.flatMap((prefix) => values.map((value) => [...prefix, { path, op: "set" as const, value }]));
  }
  return out;
}

function seedOf(doc: unknown, path: string): number {
  let cur: unknown = doc;
  for (const key of parsePath(path)) cur = cur && typeof cur === "object" ? (cur as Record<string | number, unknown>)[key] : undefined;
  return typeof cur === "number" ? cur : 0;
}

/** Expands a sweep over a base document (already resolved from a preset name) into validated points. */
export function expandSweep(spec: SweepSpec, base: unknown): SweepPoint[] {
  for (const path of [...Object.keys(spec.grid), ...Object.keys(spec.random), ...spec.seedPaths]) parsePath(path);
  const rng = new Rng(spec.seed, 0);
  const randomAxes = Object.entries(spec.random);
  const randomPoints: Intervention[][] = randomAxes.length === 0 ? [[]]
    : Array.from({ length: spec.samples }, () => randomAxes.map(([path, d]) => ({ path, op: "set" as const, value: draw(d, rng) })));
  const points: SweepPoint[] = [];
  for (const g of cartesian(Object.entries(spec.grid))) {
    for (const r of randomPoints) {
      for (let k = 0; k < spec.repeats; k++) {
        const seeds = k === 0 ? [] : spec.seedPaths.map((path) => ({ path, op: "set" as const, value: seedOf(base, path) + k }));
        const interventions = [...g, ...r, ...seeds];
        points.push({ interventions, validation: validateExperiment(applyInterventions(base, interventions)) });
      }
    }
  }
  return points;
}

/** One line per invalid point: which values made it invalid and why. */
export function describeInvalid(points: SweepPoint[]): string[] {
  return points.flatMap((p) => (p.validation.ok ? [] : [
    `${p.interventions.map((i) => `${i.path}=${JSON.stringify(i.value)}`).join(", ") || "base"}: ${p.validation.problems.map(formatProblem).join("; ")}`,
  ]));
}
