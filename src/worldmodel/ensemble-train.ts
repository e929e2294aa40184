// Training of the ensemble as one population: each member draws its batches from
// its own bootstrap resample of the training rows and starts from its own init, so
// the members disagree where the data is thin (the epistemic part of the spread).
// Each sampled row gets a random cutoff (most often none) so one net learns both
// config-only prediction and extrapolation from an observed prefix; some rows are
// shown without their task family (novel-family.ts), and part of each batch is
// pairs of runs of one sweep or of one task family (pair-loss.ts). Loss per
// member: masked Gaussian NLL over the curve points (relative to the prefix
// anchors; NaN targets are skipped), binary cross-entropy of the event logits,
// the pairs' squared error of the predicted difference and a logistic loss on
// their order. AdamW with per-member early stopping on a held-out slice
// (squared error of the means plus the events' cross-entropy): a member that stops
// improving is frozen at its best weights.

import { AdamW, Engine, F, Rng, Stream, backward, type Tensor } from "../engine/index.js";
import { CURVE_METRICS, CURVE_POINTS, EVENT_KINDS } from "./types.js";
import { drawPairs, pairLoss, pairWeights, rankLoss, rankTargets, rowGroups } from "./pair-loss.js";
import { CURVE_OUTPUTS, EVENT_OUTPUTS, EnsembleNet, NET_OUTPUTS, PREFIX_DIMS, paramSizes, prefixAnchors, squashLogVar, writePrefix, type NetShape } from "./ensemble.js";

/** One training row: standardized config encoding, normalized targets, events. */
export interface TrainRow {
  x: Float32Array;
  /** CURVE_OUTPUTS normalized targets, NaN where unknown */
  y: Float64Array;
  events: Uint8Array;
  /** 1 where the event's label is known (null: all are); unknown labels get no weight (truncated runs, truncate.ts) */
  eventsKnown?: Uint8Array | null;
  /** forks: the parent's curve (normalized, on this run's grid) up to the fork point, always given as prefix */
  forcedPrefix?: { values: Float64Array; cutoff: number } | null;
  /** rows of one group (a one-at-a-time sweep) differ in one knob: their differences train the pair loss */
  group?: string | null;
  /** the task family: rows of one family can also be paired (familyPairShare) */
  family?: string | null;
  /** the encoding with the task family hidden (novel-family.ts), for family dropout */
  xHidden?: Float32Array | null;
  /** per metric, the normalized value a config-only prediction departs from (chance.ts; not used with the family hidden); null: 0, the training mean */
  anchors?: Float64Array | null;
}

export interface EnsembleTrainOptions {
  members: number;
  hidden: number[];
  steps: number;
  batchSize: number;
  lr: number;
  weightDecay: number;
  seed: number;
  /** probability that a sampled row gets no prefix */
  noPrefixProb: number;
  eventWeight: number;
  /** factor on eventWeight for the divergence event: rare (3% of the standing dataset) and the one event whose AUC the issue sets a target for */
  divergenceWeight: number;
  /** weight of the squared error of the means added to the NLL (keeps hard points from being given up on through a wide variance) */
  mseWeight: number;
  /** share of each member's batch drawn as pairs of rows of one group (config only) */
  pairFraction: number;
  /** weight of the squared error of the pairs' predicted differences (normalized units, per point) */
  pairWeight: number;
  /** share of the pairs drawn from any two rows of one task family instead of one sweep (differences of many knobs at once) */
  familyPairShare: number;
  /** weight of the logistic loss on the order of each pair's rows (0: none) */
  rankWeight: number;
  /** probability that a sampled row is shown with its family hidden, so the net also learns a family-agnostic prediction (used for unseen families) */
  familyDropout: number;
  evalEvery: number;
  /** evaluations without improvement before a member is frozen */
  patience: number;
  /** weights to start from (same shape), e.g. the previous version */
  warmStart?: Float32Array[] | null;
  /** called after each evaluation with every member's held-out loss (progress, diagnostics) */
  onEval?: ((step: number, validLoss: number[]) => void) | null;
}

/** temperature of the rank loss, in normalized target units */
const RANK_TAU = 0.1;

/**
 * Chosen on the standing dataset. Every option tried, with what it measured (and
 * how far one fit moves by its own seed, which decides what a measurement can
 * tell), is recorded in docs/world-model-tries.md.
 */
export const DEFAULT_TRAIN_OPTIONS: EnsembleTrainOptions = {
  members: 5, hidden: [256, 256], steps: 20_000, batchSize: 128, lr: 1e-3, weightDecay: 0.1, seed: 0,
  noPrefixProb: 0.5, eventWeight: 1.5, divergenceWeight: 5, mseWeight: 0, pairFraction: 0.25, pairWeight: 10, familyPairShare: 0.5, rankWeight: 5, familyDropout: 0.1, evalEvery: 100, patience: 8,
};

export interface EnsembleTrainReport {
  stepsRun: number;
  bestValid: number[];
  bestStep: number[];
  warmStarted: boolean;
  seconds: number;
}

/**
 * Per-member loss terms [P] of outputs [P, B, NET_OUTPUTS] against targets y (0
 * where masked) with weights w, and events t with weights we: the Gaussian NLL the
 * net trains on, the squared error of the means (the early-stopping criterion: an
 * NLL on held-out runs is dominated by a few overconfident points, and the spread
 * is recalibrated afterwards anyway) and the events' cross-entropy.
 */
export function memberLosses(out: Tensor, y: Tensor, w: Tensor, t: Tensor, we: Tensor): { nll: Tensor; sqErr: Tensor; bce: Tensor } {
  const mu = F.slice(out, 2, 0, CURVE_OUTPUTS);
  const lv = squashLogVar(F.slice(out, 2, CURVE_OUTPUTS, 2 * CURVE_OUTPUTS));
  const z = F.slice(out, 2, 2 * CURVE_OUTPUTS, NET_OUTPUTS);
  const sq = F.square(F.sub(y, mu));
  const nll = F.mul(F.scale(F.add(lv, F.mul(sq, F.exp(F.neg(lv)))), 0.5), w);
  const bce = F.add(F.sub(F.relu(z), F.mul(z, t)), F.log(F.addScalar(F.exp(F.neg(F.abs(z))), 1)));
  return { nll: F.sum(nll, { axes: [1, 2] }), sqErr: F.sum(F.mul(sq, w), { axes: [1, 2] }), bce: F.sum(F.mul(bce, we), { axes: [1, 2] }) };
}

interface Batch { x: Float32Array; y: Float32Array; w: Float32Array; t: Float32Array; we: Float32Array }

/** Fills a block of `n` rows (for one member) at row offset `r0`; cutoff -1 = no prefix; `eventWeights[e]` per known label of event e. */
function fillRows(b: Batch, r0: number, rows: TrainRow[], cutoffs: number[], D: number, eventWeights: readonly number[], hidden: readonly boolean[] = []): void {
  const IN = D + PREFIX_DIMS;
  const anchors = new Float64Array(CURVE_METRICS.length);
  let count = 0;
  rows.forEach((row, i) => {
    const r = r0 + i;
    const hide = !!hidden[i] && !!row.xHidden;
    b.x.set(hide ? row.xHidden! : row.x, r * IN);
    const [values, cutoff] = row.forcedPrefix ? [row.forcedPrefix.values, row.forcedPrefix.cutoff] : [row.y, cutoffs[i]!];
    writePrefix(values, cutoff, b.x, r * IN + D);
    // a row shown without its family departs from the training mean: a chance level would hint at the family
    prefixAnchors(values, cutoff, anchors, 0, hide ? null : row.anchors ?? null);
    for (let j = 0; j < CURVE_OUTPUTS; j++) {
      const v = row.y[j]!;
      const ok = Number.isFinite(v);
      b.y[r * CURVE_OUTPUTS + j] = ok ? v - anchors[Math.floor(j / CURVE_POINTS)]! : 0;
      b.w[r * CURVE_OUTPUTS + j] = ok ? 1 : 0;
      if (ok) count++;
    }
    for (let e = 0; e < EVENT_OUTPUTS; e++) {
      b.t[r * EVENT_OUTPUTS + e] = row.events[e]!;
      b.we[r * EVENT_OUTPUTS + e] = row.eventsKnown && !row.eventsKnown[e] ? 0 : eventWeights[e]!;
    }
  });
  const scale = 1 / Math.max(1, count);
  for (let j = r0 * CURVE_OUTPUTS; j < (r0 + rows.length) * CURVE_OUTPUTS; j++) b.w[j]! *= scale;
}

function newBatch(rows: number, IN: number): Batch {
  return {
    x: new Float32Array(rows * IN), y: new Float32Array(rows * CURVE_OUTPUTS), w: new Float32Array(rows * CURVE_OUTPUTS),
    t: new Float32Array(rows * EVENT_OUTPUTS), we: new Float32Array(rows * EVENT_OUTPUTS),
  };
}

/** The fixed validation set: every row without prefix, and again with a seeded random cutoff. */
function validationBatch(valid: TrainRow[], D: number, seed: number, eventWeights: readonly number[]): { batch: Batch; n: number } {
  const rng = new Rng(seed, Stream.data, 999_000_000);
  const rows = [...valid, ...valid.filter((r) => !r.forcedPrefix)];
  const cutoffs = rows.map((_, i) => (i < valid.length ? -1 : rng.int(CURVE_POINTS - 1)));
  const batch = newBatch(rows.length, D + PREFIX_DIMS);
  fillRows(batch, 0, rows, cutoffs, D, eventWeights.map((w) => w / (rows.length * EVENT_OUTPUTS)));
  return { batch, n: rows.length };
}

/** Trains a new ensemble (or continues `warmStart`) and returns it with its best weights per member. */
export function trainEnsemble(engine: Engine, train: TrainRow[], valid: TrainRow[], options: Partial<EnsembleTrainOptions> = {}): { net: EnsembleNet; report: EnsembleTrainReport } {
  const o = { ...DEFAULT_TRAIN_OPTIONS, ...options };
  const started = performance.now();
  if (train.length === 0) throw new Error("worldmodel: no training examples");
  const D = train[0]!.x.length, IN = D + PREFIX_DIMS, P = o.members, B = o.batchSize;
  const shape: NetShape = { members: P, inputs: IN, hidden: o.hidden, outputs: NET_OUTPUTS };
  const sizes = paramSizes(shape);
  const warm = !!o.warmStart && o.warmStart.length === sizes.length && o.warmStart.every((w, i) => w.length === sizes[i]);
  const net = warm ? EnsembleNet.fromWeights(engine, shape, o.warmStart!) : EnsembleNet.init(engine, shape, o.seed);
  const opt = new AdamW(net.params, {
    members: P, lr: o.lr, weightDecay: o.weightDecay, clipNorm: 5,
    schedule: { kind: "cosine", totalSteps: o.steps, warmupSteps: warm ? 0 : Math.min(100, o.steps >> 3), minFactor: 0.05 },
  });

  // member p's bootstrap resample and its own stream of draws
  const boots = Array.from({ length: P }, (_, p) => {
    const rng = new Rng(o.seed, Stream.shuffle, p * 10_000_000);
    return Int32Array.from({ length: train.length }, () => rng.int(train.length));
  });
  const draws = Array.from({ length: P }, (_, p) => new Rng(o.seed, Stream.data, p * 100_000_000));

  const batch = newBatch(P * B, IN);
  // pair rows: the last 2Q rows of each member's block, firsts then seconds
  const groups = rowGroups(train);
  const families = rowGroups(train, (r) => (o.familyPairShare > 0 ? r.family : null));
  const Q = o.pairWeight > 0 && groups.rows.length + families.rows.length > 0 ? Math.floor((B * o.pairFraction) / 2) : 0;
  // of which drawn within a family (all of them when no sweep has two rows)
  const familyQ = families.rows.length === 0 ? 0 : groups.rows.length === 0 ? Q : Math.round(Q * o.familyPairShare);
  const pairW = new Float32Array(P * Q * CURVE_OUTPUTS);
  const rankSign = new Float32Array(P * Q * CURVE_OUTPUTS), rankW = new Float32Array(P * Q * CURVE_OUTPUTS);
  const rankShift = new Float32Array(P * Q * CURVE_OUTPUTS);
  const eventWeights = EVENT_KINDS.map((k) => o.eventWeight * (k === "diverged" ? o.divergenceWeight : 1));
  const batchEventWeights = eventWeights.map((w) => w / (B * EVENT_OUTPUTS));
  const validSet = valid.length > 0 ? validationBatch(valid, D, o.seed, eventWeights) : null;
  const validTensors = validSet && {
    x: engine.keep(engine.tensor(validSet.batch.x, [1, validSet.n, IN])),
    y: engine.keep(engine.tensor(validSet.batch.y, [1, validSet.n, CURVE_OUTPUTS])),
    w: engine.keep(engine.tensor(validSet.batch.w, [1, validSet.n, CURVE_OUTPUTS])),
    t: engine.keep(engine.tensor(validSet.batch.t, [1, validSet.n, EVENT_OUTPUTS])),
    we: engine.keep(engine.tensor(validSet.batch.we, [1, validSet.n, EVENT_OUTPUTS])),
  };
  const best = Array.from({ length: P }, () => ({ loss: Infinity, step: 0, weights: null as Float32Array[] | null, stale: 0 }));

  let step = 0;
  for (; step < o.steps; step++) {
    for (let p = 0; p < P; p++) {
      if (opt.frozen[p]) continue;
      const rows: TrainRow[] = [], cutoffs: number[] = [], hidden: boolean[] = [];
      for (let b = 0; b < B - 2 * Q; b++) {
        rows.push(train[boots[p]![draws[p]!.int(train.length)]!]!);
        cutoffs.push(draws[p]!.uniform() < o.noPrefixProb ? -1 : draws[p]!.int(CURVE_POINTS - 1));
        hidden.push(o.familyDropout > 0 && draws[p]!.uniform() < o.familyDropout);
      }
      if (Q > 0) {
        const [firsts, seconds] = drawPairs(groups, Q - familyQ, draws[p]!);
        if (familyQ > 0) {
          const [f, s] = drawPairs(families, familyQ, draws[p]!);
          firsts.push(...f);
          seconds.push(...s);
        }
        // a pair is shown with its family hidden as a whole (both rows), so the
        // family-agnostic mode learns differences too
        const hiddenPair = firsts.map(() => o.familyDropout > 0 && draws[p]!.uniform() < o.familyDropout);
        for (const i of [...firsts, ...seconds]) {
          rows.push(train[i]!);
          cutoffs.push(-1);
        }
        hidden.push(...hiddenPair, ...hiddenPair);
        pairWeights(firsts.map((i) => train[i]!), seconds.map((i) => train[i]!), o.pairWeight, pairW, p * Q * CURVE_OUTPUTS);
        if (o.rankWeight > 0) rankTargets(firsts.map((i) => train[i]!), seconds.map((i) => train[i]!), o.rankWeight, rankSign, rankW, p * Q * CURVE_OUTPUTS, rankShift, hiddenPair);
      }
      fillRows(batch, p * B, rows, cutoffs, D, batchEventWeights, hidden);
    }
    engine.scope(() => {
      opt.zeroGrad();
      const out = net.forward(engine.tensor(batch.x, [P, B, IN]));
      const y = engine.tensor(batch.y, [P, B, CURVE_OUTPUTS]);
      const l = memberLosses(out, y, engine.tensor(batch.w, [P, B, CURVE_OUTPUTS]),
        engine.tensor(batch.t, [P, B, EVENT_OUTPUTS]), engine.tensor(batch.we, [P, B, EVENT_OUTPUTS]));
      let total = F.add(l.nll, l.bce);
      if (Q > 0) total = F.add(total, pairLoss(out, y, engine.tensor(pairW, [P, Q, CURVE_OUTPUTS]), B, Q));
      if (Q > 0 && o.rankWeight > 0) {
        const shift = engine.tensor(rankShift, [P, Q, CURVE_OUTPUTS]);
        total = F.add(total, rankLoss(out, engine.tensor(rankSign, [P, Q, CURVE_OUTPUTS]), engine.tensor(rankW, [P, Q, CURVE_OUTPUTS]), B, Q, RANK_TAU, shift));
      }
      backward(F.sum(o.mseWeight > 0 ? F.add(total, F.scale(l.sqErr, o.mseWeight)) : total));
      opt.step();
    });
    const last = step + 1 === o.steps;
    if (validTensors && ((step + 1) % o.evalEvery === 0 || last)) {
      const losses = engine.noGrad(() => engine.scope(() => {
        const v = validTensors;
        const l = memberLosses(net.forward(v.x), v.y, v.w, v.t, v.we);
        return Array.from(F.add(l.sqErr, l.bce).toFloat32());
      }));
      o.onEval?.(step + 1, losses);
      for (let p = 0; p < P; p++) {
        if (opt.frozen[p]) continue;
        const b = best[p]!;
        const l = Number.isFinite(losses[p]!) ? losses[p]! : Infinity;
        if (l < b.loss - 1e-4) {
          Object.assign(b, { loss: l, step: step + 1, weights: net.memberWeights(p), stale: 0 });
        } else if (++b.stale >= o.patience) opt.freeze(p);
      }
      if (opt.frozen.every((f) => f === 1)) {
        step++;
        break;
      }
    }
  }
  best.forEach((b, p) => b.weights && net.setMemberWeights(p, b.weights));
  opt.dispose();
  if (validTensors) for (const t of Object.values(validTensors)) t.dispose();
  return {
    net,
    report: {
      stepsRun: step,
      bestValid: best.map((b) => b.loss),
      bestStep: best.map((b) => b.step),
      warmStarted: warm,
      seconds: (performance.now() - started) / 1000,
    },
  };
}
