// Crossover of two experiments. The child is based on one parent (chosen at
// random) and takes a part of the other, the donor:
//   swap-subtree  one block of the base's tree is replaced by a block of the donor's
//                 (residual blocks first, then any unit of a similar kind), adapted
//                 to the base's stream: widths equal to the donor's stream dim take
//                 the base's, hidden widths scale with the ratio, heads are fitted
//                 to the new dim and attention stays causal on next-token tasks
//   swap-model    the donor's whole model on the base's task
//   swap-recipe   the donor's training recipe for the base's task and model
//   mix-recipe    each training field from either parent
// The first two need parents of the same input kind (tokens or vectors). Every
// candidate is validated; a child that differs from both parents is preferred.

import type { Rng } from "../../engine/rng.js";
import type { Experiment, ExperimentInput } from "../config/experiment.js";
import type { TaskName } from "../tasks/index.js";
import type { UnitTree } from "../units/index.js";
import type { Change, Offspring, OperatorStats } from "./mutate.js";
import { finish, GenerateError, normalize, type Normalized } from "./normalize.js";
import { chance, clamp, weighted } from "./random.js";
import { CAUSAL_FAMILIES } from "./tasks.js";
import { clone, fittingHeads, modelPath, setAt, walkTree, widthFields, type NodeSite } from "./tree.js";

export type CrossoverName = "swap-subtree" | "swap-model" | "swap-recipe" | "mix-recipe";

/** A crossover's record: which parent the child is based on, and where the donor's part came from. */
export interface CrossoverChange extends Change {
  name: CrossoverName;
  /** the parent the child is based on ("a" or "b"); the other is the donor */
  base: "a" | "b";
  /** the donor's path of what was taken, e.g. "model.children[3]" */
  source: string;
}

export interface CrossoverOffspring extends Offspring {
  operator: CrossoverChange;
}

export interface CrossoverOptions {
  /** reject children with more parameters than this or than the larger parent (default: no limit) */
  maxParams?: number;
  stats?: OperatorStats;
}

interface Parents {
  base: Normalized;
  donor: Normalized;
  baseName: "a" | "b";
  baseSites: NodeSite[];
  donorSites: NodeSite[];
}

type Proposal = { config: Experiment; change: Omit<CrossoverChange, "base"> };

const dimOf = (s: NodeSite["input"]) => (s.kind === "tokens" ? null : s.dim);

/**
 * The donor's subtree rewritten for the base: for a shape-keeping block (`rescale`)
 * moved from a stream of dim `from` to one of dim `to`, widths equal to `from` become
 * `to` and the others scale by to/from; in any case heads are fitted to the new dim
 * and attention is made causal for next-token tasks. Null if it cannot fit the base
 * (token mixing on a next-token task).
 */
export function adaptSubtree(node: UnitTree, from: number | null, to: number | null, causalOnly: boolean, rescale = true): UnitTree | null {
  let out = clone(node);
  if (rescale && from !== null && to !== null && from !== to) {
    for (const w of widthFields(node)) {
      const v = w.role === "output" && w.value === from ? to : clamp(Math.round((w.value * to) / from), 1, 4096);
      out = setAt(out, [...w.path, w.field], v);
    }
  }
  let ok = true;
  const visit = (n: UnitTree): UnitTree => {
    switch (n.unit) {
      case "attention":
        return { ...n, heads: to === null ? n.heads : fittingHeads(to, n.heads), causal: n.causal || causalOnly };
      case "token-mixing":
        if (causalOnly) ok = false;
        return n;
      case "sequential":
        return { ...n, children: n.children.map(visit) };
      case "residual":
        return { ...n, child: visit(n.child) };
      default:
        return n;
    }
  };
  out = visit(out);
  return ok ? out : null;
}

/** Units that may stand in for each other. */
function family(unit: UnitTree["unit"]): string {
  switch (unit) {
    case "linear":
    case "mlp":
    case "glu":
      return "dense";
    case "attention":
    case "token-mixing":
      return "mixing";
    case "norm":
    case "activation":
    case "dropout":
      return "pointwise";
    default:
      return unit;
  }
}

function swapSubtree(p: Parents, rng: Rng): Proposal[] {
  const causalOnly = CAUSAL_FAMILIES.has(p.base.config.task.family as TaskName);
  const usable = (s: NodeSite) => s.path.length > 0 && s.node.unit !== "sequential" && s.node.unit !== "embedding" && s.node.unit !== "readout";
  const baseSites = p.baseSites.filter(usable);
  const donorSites = p.donorSites.filter(usable);
  const pairs: Array<[NodeSite, NodeSite]> = [];
  const residualA = baseSites.filter((s) => s.node.unit === "residual");
  const residualB = donorSites.filter((s) => s.node.unit === "residual");
  // residual blocks first (they keep their shape), then units of the same family
  for (let i = 0; i < 3 && residualA.length > 0 && residualB.length > 0; i++) {
    pairs.push([residualA[rng.int(residualA.length)]!, residualB[rng.int(residualB.length)]!]);
  }
  for (let i = 0; i < 6 && baseSites.length > 0; i++) {
    const a = baseSites[rng.int(baseSites.length)]!;
    const same = donorSites.filter((s) => family(s.node.unit) === family(a.node.unit) && s.node.unit !== "residual");
    if (same.length > 0) pairs.push([a, same[rng.int(same.length)]!]);
  }
  const out: Proposal[] = [];
  for (const [a, b] of pairs) {
    const rescale = a.node.unit === "residual" && b.node.unit === "residual";
    const adapted = adaptSubtree(b.node, dimOf(b.input), dimOf(a.input), causalOnly, rescale);
    if (!adapted) continue;
    out.push({
      config: { ...p.base.config, model: setAt(p.base.config.model, a.path, adapted) },
      change: { name: "swap-subtree", path: modelPath(a.path), from: a.node, to: adapted, source: modelPath(b.path) },
    });
  }
  return out;
}

function swapModel(p: Parents): Proposal[] {
  return [{
    config: { ...p.base.config, model: p.donor.config.model },
    change: { name: "swap-model", path: "model", from: p.base.config.model, to: p.donor.config.model, source: "model" },
  }];
}

/**
 * A recipe that the base can train with: the base's batch size when a "full" batch
 * meets a stream, and no Nesterov without momentum (validation accepts it, the SGD
 * optimizer refuses it).
 */
function fitTrain(base: Experiment, train: Experiment["train"]): Experiment["train"] {
  let t = train;
  if (t.batchSize === "full" && base.task.trainSize === "stream") t = { ...t, batchSize: base.train.batchSize };
  if (t.nesterov && t.momentum === 0) t = { ...t, nesterov: false };
  return t;
}

function withTrain(base: Experiment, train: Experiment["train"]): Experiment {
  const t = fitTrain(base, train);
  return { ...base, train: t, log: { ...base.log, checkpoints: base.log.checkpoints.filter((s) => s <= t.steps) } };
}

function swapRecipe(p: Parents): Proposal[] {
  return [{
    config: withTrain(p.base.config, p.donor.config.train),
    change: { name: "swap-recipe", path: "train", from: p.base.config.train, to: p.donor.config.train, source: "train" },
  }];
}

function mixRecipe(p: Parents, rng: Rng): Proposal[] {
  const a = p.base.config.train as Record<string, unknown>, b = p.donor.config.train as Record<string, unknown>;
  const mixed: Record<string, unknown> = { ...a };
  const from: Record<string, unknown> = {}, to: Record<string, unknown> = {};
  for (const key of Object.keys(b)) {
    if (JSON.stringify(a[key]) === JSON.stringify(b[key]) || !chance(rng, 0.5)) continue;
    mixed[key] = b[key];
    from[key] = a[key];
    to[key] = b[key];
  }
  return [{
    config: withTrain(p.base.config, mixed as Experiment["train"]),
    change: { name: "mix-recipe", path: "train", from, to, source: "train" },
  }];
}

const proposers: { readonly [K in CrossoverName]: (p: Parents, rng: Rng) => Proposal[] } = {
  "swap-subtree": swapSubtree,
  "swap-model": swapModel,
  "swap-recipe": swapRecipe,
  "mix-recipe": mixRecipe,
};

/** How often each crossover is tried first, for parents of the same input kind (and of different kinds). */
export const CROSSOVER_WEIGHTS: { readonly [K in CrossoverName]: readonly [same: number, different: number] } = {
  "swap-subtree": [3, 0],
  "swap-model": [1, 0],
  "swap-recipe": [1, 1],
  "mix-recipe": [1, 1],
};

/**
 * A child of two valid experiments, based on one of them and taking a compatible
 * part of the other; see the file header for the operators. Throws a GenerateError
 * if a parent is not a valid experiment.
 */
export function crossover(a: ExperimentInput, b: ExperimentInput, rng: Rng, options: CrossoverOptions = {}): CrossoverOffspring {
  const na = normalize(a, "parent a"), nb = normalize(b, "parent b");
  const baseName = chance(rng, 0.5) ? "a" : "b";
  const [base, donor] = baseName === "a" ? [na, nb] : [nb, na];
  const parents: Parents = {
    base, donor, baseName,
    baseSites: walkTree(base.config.model, base.spec),
    donorSites: walkTree(donor.config.model, donor.spec),
  };
  const sameKind = base.spec.input.kind === donor.spec.input.kind;
  const maxParams = Math.max(options.maxParams ?? Infinity, na.paramCount, nb.paramCount);
  const left = (Object.keys(proposers) as CrossoverName[]).filter((n) => CROSSOVER_WEIGHTS[n][sameKind ? 0 : 1] > 0);
  let fallback: CrossoverOffspring | null = null;
  const stats = options.stats;
  while (left.length > 0) {
    const name = weighted(rng, left.map((n) => [n, CROSSOVER_WEIGHTS[n][sameKind ? 0 : 1]] as const));
    left.splice(left.indexOf(name), 1);
    for (const prop of proposers[name](parents, rng)) {
      const { name: _label, ...rest } = prop.config;
      void _label;
      if (stats) stats.tried++;
      const done = finish(rest, maxParams);
      if (!done) {
        if (stats) stats.rejected++;
        continue;
      }
      const child: CrossoverOffspring = { config: done.config, operator: { ...prop.change, base: baseName } };
      if (done.norm.id !== na.id && done.norm.id !== nb.id) {
        if (stats) stats.applied[name] = (stats.applied[name] ?? 0) + 1;
        return child;
      }
      fallback ??= child;
    }
  }
  if (fallback) return fallback;
  throw new GenerateError(`no crossover of ${na.id} and ${nb.id} is valid`);
}
