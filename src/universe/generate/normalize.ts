// The generator's entry and exit forms. Operators read a config in its validated,
// dense form (every default filled in, the difficulty knob applied), so they see the
// effective value of every field; what they hand back is compacted again: fields
// equal to the value they would get anyway are dropped, so offspring read like
// hand-written configs. Compaction never changes the experiment id (checked).

import { canonicalJson } from "../config/canonical.js";
import type { Experiment, ExperimentInput } from "../config/experiment.js";
import { logSchema, trainSchema } from "../config/train.js";
import { familyParams, validateExperiment } from "../config/validate.js";
import { formatProblem, type Problem } from "../config/problems.js";
import type { TaskSpec } from "../tasks/family.js";
import { tasks, type TaskName } from "../tasks/index.js";
import { unitTreeSchema, type UnitTree } from "../units/index.js";

/** An input the generator cannot work on (not a valid experiment), or an operator's invalid result. */
export class GenerateError extends Error {
  constructor(message: string, readonly problems: Problem[] = []) {
    super(problems.length ? `${message}: ${problems.map(formatProblem).join("; ")}` : message);
    this.name = "GenerateError";
  }
}

export interface Normalized {
  config: Experiment;
  id: string;
  paramCount: number;
  spec: TaskSpec;
}

/** Validates a config or throws a GenerateError listing its problems. */
export function normalize(input: unknown, what = "config"): Normalized {
  const v = validateExperiment(input);
  if (!v.ok) throw new GenerateError(`${what} is not a valid experiment`, v.problems);
  return { config: v.config, id: v.id, paramCount: v.paramCount, spec: v.spec };
}

const same = (a: unknown, b: unknown) => canonicalJson(a) === canonicalJson(b);

/** Keeps the entries of `obj` that differ from `defaults` (undefined entries go too). */
function withoutDefaults(obj: Record<string, unknown>, defaults: Record<string, unknown>, keep: ReadonlySet<string> = new Set()): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) {
    if (v === undefined) continue;
    if (keep.has(k) || !(k in defaults) || !same(v, defaults[k])) out[k] = v;
  }
  return out;
}

const unitDefaults = new Map<string, Record<string, unknown>>();

function defaultsOf(kind: string): Record<string, unknown> {
  let d = unitDefaults.get(kind);
  if (!d) {
    const parsed = unitTreeSchema.safeParse({ unit: kind });
    d = parsed.success ? (parsed.data as Record<string, unknown>) : {};
    unitDefaults.set(kind, d);
  }
  return d;
}

/** A tree without the fields that equal their unit's defaults. */
export function compactTree(node: UnitTree): unknown {
  if (node.unit === "sequential") return { unit: "sequential", children: node.children.map(compactTree) };
  if (node.unit === "residual") return { unit: "residual", child: compactTree(node.child) };
  return withoutDefaults(node as unknown as Record<string, unknown>, defaultsOf(node.unit), new Set(["unit"]));
}

const COMMON_DEFAULTS = { difficulty: null, seed: 0, trainSize: 1024, testSize: 1024 };

function compactTask(task: Experiment["task"]): Record<string, unknown> {
  const family = tasks[task.family as TaskName];
  const base: Record<string, unknown> = { ...(family.params.parse({}) as Record<string, unknown>) };
  if (typeof task.difficulty === "number") Object.assign(base, family.difficulty(task.difficulty));
  const params = withoutDefaults(familyParams(task), base);
  const common = withoutDefaults(
    { difficulty: task.difficulty, seed: task.seed, trainSize: task.trainSize, testSize: task.testSize },
    COMMON_DEFAULTS,
  );
  return { family: task.family, ...common, ...params };
}

/** The shortest equivalent document of a validated config (same experiment id). */
export function compactExperiment(config: Experiment): ExperimentInput {
  const out: Record<string, unknown> = {};
  if (config.name !== undefined) out.name = config.name;
  out.task = compactTask(config.task);
  out.model = compactTree(config.model);
  const train = withoutDefaults(config.train as Record<string, unknown>, trainSchema.parse({}) as Record<string, unknown>);
  if (Object.keys(train).length > 0) out.train = train;
  const log = withoutDefaults(config.log as Record<string, unknown>, logSchema.parse({}) as Record<string, unknown>);
  if (Object.keys(log).length > 0) out.log = log;
  return out as ExperimentInput;
}

/**
 * Validates a candidate produced by an operator and returns it compacted, or null
 * when it is invalid or breaks `maxParams`.
 */
export function finish(candidate: unknown, maxParams = Infinity): { config: ExperimentInput; norm: Normalized } | null {
  const v = validateExperiment(candidate);
  if (!v.ok || v.paramCount > maxParams) return null;
  const compact = compactExperiment(v.config);
  const again = validateExperiment(compact);
  if (!again.ok || again.id !== v.id) throw new GenerateError("internal: compaction changed the experiment");
  return { config: compact, norm: { config: again.config, id: again.id, paramCount: again.paramCount, spec: again.spec } };
}
