// The learned world model: the ensemble (ensemble.ts) wrapped as a Predictor.
// fit() encodes and standardizes the examples, normalizes the targets per metric,
// adds truncated copies of the training runs (truncate.ts: the first part of a
// run is a shorter run), gives forks their parent's curve up to the fork step as prefix, holds out one
// slice for early stopping and another for calibration (calibration.ts: scale
// factors per metric so 80% intervals cover about 80% there), and trains. predict() builds all input rows at once and runs them
// through the engine in large batches; predictive std = sqrt(mean aleatoric
// variance + variance of the member means) x calibration (a set of its own for
// families it never trained on, novel-family.ts). Serialization is in
// model-codec.ts; support() (evidence) in support.ts.
//
// Other model families, tried on a 3,378-run snapshot of the standing dataset
// (random split seeds 0 / 1, the same encoding, scikit-learn 1.2): gradient-
// boosted trees ranked final test loss within family at 0.61 / 0.66 and
// extra-trees at 0.70 (seed 0), against this ensemble's 0.74 on seed 0; sign
// accuracy on seed 0 was 0.74 for the trees against 0.80; averaging either into
// the ensemble's prediction (weight 0.2-0.5) lowered within-family Spearman to
// 0.72. Neither is kept. Tried again on 6,815 runs (random split draws 0-2, a
// partial build of the standing dataset; scikit-learn 1.2): histogram gradient-
// boosted trees ranked within family at 0.66-0.70 (31-63 leaves), where this
// ensemble reached 0.78 on draw 0; a Gaussian process per family (ARD RBF
// kernel plus noise on the named features) ranked associative recall 0.84 /
// dyck 0.05 / Gaussian mixture 0.73 / in-context regression 0.58 / Markov chain
// 0.83 against the ensemble's 0.94 / 0.63 / 0.80 / 0.66 / 0.92 on the same draw.
// Sharing one net across families wins.

import { availableParallelism } from "node:os";
import { Engine } from "../engine/index.js";
import { CURVE_METRICS, CURVE_POINTS, EVENT_KINDS, type CurveMetric, type EventKind, type Example, type Prediction, type Predictor, type Query } from "./types.js";
import { FEATURE_COUNT, FEATURE_NAMES, Standardizer, encodeConfig } from "./encode.js";
import { familyOf, forkObserved } from "./examples.js";
import { CURVE_OUTPUTS, EVENT_OUTPUTS, NET_OUTPUTS, PREFIX_DIMS, EnsembleNet, paramSizes, cutoffIndex, prefixAnchors, writePrefix } from "./ensemble.js";
import { predictMoments, predictRaw } from "./ensemble-predict.js";
import { splitHeldOut } from "./held-out.js";
import { DEFAULT_TRAIN_OPTIONS, trainEnsemble, type EnsembleTrainOptions, type EnsembleTrainReport, type TrainRow } from "./ensemble-train.js";
import { SupportIndex, type Support } from "./support.js";
import { decodeState, encodeState } from "./model-codec.js";
import { encodeWithoutFamily } from "./novel-family.js";
import { CALIBRATION_SETS, fitCalibration } from "./calibration.js";
import { normalizeCurves, targetNorms } from "./targets.js";
import { chanceAnchors } from "./chance.js";
import { TRUNCATION_SHIFTS, truncatedCopies } from "./truncate.js";
import { canonicalOrder } from "./content-keys.js";

export const WORLD_MODEL_VERSION = 1;
/**
 * A fit runs at most max(MIN_STEPS_CAP, STEPS_PER_TRAINING_RUN x training runs)
 * steps (and at most the `steps` option): on 4,000 runs early stopping ended at
 * 6,000-7,000 steps; on 9,000 runs (with their truncated copies) the earlier cap
 * of 10,000 cut members still improving, and with the cap at 14,400 they stopped
 * at 9,700-11,900; while 220 runs (a demo round) kept improving the held-out
 * loss by crumbs for 4,900 steps.
 */
const STEPS_PER_TRAINING_RUN = 2;
const MIN_STEPS_CAP = 2000;
/** kernel threads of an engine the model makes itself */
const DEFAULT_THREADS = Math.min(2, availableParallelism());

export interface WorldModelMeta {
  name: "ensemble";
  version: number;
  /** runs: all, trained on, held out for early stopping, held out for calibration, ... */
  trainedOn: {
    examples: number; train: number; valid: number; calibration: number; diverged: number; forks: number; families: Record<string, number>;
    /** truncated copies of training runs trained on besides them (truncate.ts; absent in older versions) */
    truncated?: number;
  };
  featureNames: string[];
  seed: number;
  trainingSeconds: number;
  options: EnsembleTrainOptions;
  report: EnsembleTrainReport | null;
  /** config-only curves are predicted relative to the task's chance level (chance.ts); absent in versions saved before it */
  chanceAnchors?: boolean;
  /** coverage of the 80% intervals on the held-out slice after calibration, per metric */
  validCoverage80: Record<string, number>;
}

export interface FitOptions extends Partial<EnsembleTrainOptions> {
  /** share of examples held out, half for early stopping and half for calibration (default 0.2) */
  validFraction?: number;
  /** start from this model's weights when the shapes match */
  previous?: WorldModel | null;
  /** grid shifts of the truncated copies of training runs (truncate.ts; default TRUNCATION_SHIFTS, [] for none) */
  truncations?: readonly number[];
  /** predict config-only curves relative to the task's chance level instead of the training mean (chance.ts; default true) */
  chanceAnchors?: boolean;
}

/** Denormalized per-member outputs of a batch of queries. */
export interface MemberOutputs {
  members: number;
  rows: number;
  /** [members, rows, CURVE_OUTPUTS]: each member's mean */
  mean: Float64Array;
  /** [members, rows, CURVE_OUTPUTS]: each member's aleatoric variance */
  variance: Float64Array;
  /** [members, rows, EVENT_OUTPUTS]: each member's event probability */
  prob: Float64Array;
}

export interface ModelState {
  net: EnsembleNet;
  standardizer: Standardizer;
  targetMean: Float64Array;
  targetStd: Float64Array;
  /** interval factors per metric: config-only, with a prefix, config-only of a family without training runs (novel-family.ts) */
  calibration: Float64Array;
  support: SupportIndex;
  meta: WorldModelMeta;
}

/** A stored model whose config encoding is not this code's (the features changed since it was trained). */
export class IncompatibleWorldModelError extends Error {}

export class WorldModel implements Predictor {
  readonly name = "ensemble";
  readonly engine: Engine;
  private state: ModelState | null = null;

  /** whether the engine was made here (and is closed by dispose) */
  private readonly ownsEngine: boolean;

  /**
   * Without an engine the model makes its own with a kernel thread per core (up
   * to two): large prediction batches split their matmuls (8,200 -> 9,900
   * config-only predictions/s measured on 2 cores), with results bitwise equal to
   * one thread; the helper threads never keep a process alive.
   */
  constructor(private readonly fitDefaults: FitOptions = {}, engine?: Engine) {
    this.ownsEngine = !engine;
    this.engine = engine ?? new Engine({ threads: DEFAULT_THREADS });
  }

  static fromState(state: Omit<ModelState, "net"> & { weights: Float32Array[]; shape: EnsembleNet["shape"] }, engine?: Engine): WorldModel {
    const names = state.meta.featureNames;
    if (names.length !== FEATURE_COUNT || names.some((n, i) => n !== FEATURE_NAMES[i])) {
      throw new IncompatibleWorldModelError(`this world model was trained on another config encoding (${names.length} features; this version of toyworld has ${FEATURE_COUNT}): train a new version with \`toyworld worldmodel train\``);
    }
    const m = new WorldModel({}, engine);
    m.state = { ...state, net: EnsembleNet.fromWeights(m.engine, state.shape, state.weights) };
    return m;
  }

  get trained(): ModelState {
    if (!this.state) throw new Error("worldmodel: the model is not trained yet (call fit or load a version)");
    return this.state;
  }

  get meta(): WorldModelMeta {
    return this.trained.meta;
  }

  async fit(runs: Example[], options: FitOptions = {}): Promise<void> {
    // the same runs fit the same model whatever order the store listed them in and whatever their ids
    const examples = canonicalOrder(runs);
    const o: FitOptions = { ...this.fitDefaults, ...options };
    const { validFraction: _v, previous: _p, truncations: _t, chanceAnchors: _c, ...given } = o;
    const useChance = o.chanceAnchors ?? true;
    const { onEval, ...recorded } = given;
    const train: EnsembleTrainOptions = { ...DEFAULT_TRAIN_OPTIONS, ...stripUndefined(recorded), warmStart: null, onEval: null };
    const started = performance.now();
    const { train: trainEx, stop: validEx, calibrate: calibrationEx } = splitHeldOut(examples, train.seed, o.validFraction ?? 0.2);
    const { copies: truncated, stepsGroup } = truncatedCopies(trainEx, o.truncations ?? TRUNCATION_SHIFTS);
    const encoded = new Map([...examples, ...truncated].map((e) => [e, encodeConfig(e.config, e.paramCount)]));
    // a warm start keeps the previous version's input and target scales, so its weights still mean what they meant
    const previous = o.previous?.state;
    const sizes = paramSizes({ members: train.members, inputs: FEATURE_COUNT + PREFIX_DIMS, hidden: train.hidden, outputs: NET_OUTPUTS });
    const prevWeights = previous?.net.weights();
    const warmStart = prevWeights && prevWeights.length === sizes.length && prevWeights.every((w, i) => w.length === sizes[i]) ? prevWeights : null;
    const trainRows = trainEx.map((e) => encoded.get(e)!);
    const standardizer = warmStart ? previous!.standardizer.refitIgnored(trainRows) : Standardizer.fit(trainRows);
    const { mean: targetMean, std: targetStd } = warmStart ? { mean: previous!.targetMean, std: previous!.targetStd } : targetNorms(trainEx);
    const byId = new Map(examples.map((e) => [e.runId, e]));
    const knownOf = new Map<Example, Uint8Array>(truncated.map((c) => [c, c.eventsKnown]));
    const rowOf = (e: Example): TrainRow => {
      const parent = e.fork ? byId.get(e.fork.parentRunId) : undefined;
      const observed = parent && e.fork ? forkObserved(parent, e.fork.forkStep, e.steps) : null;
      return {
        x: standardizer.apply(encoded.get(e)!, new Float32Array(FEATURE_COUNT)),
        xHidden: train.familyDropout > 0 ? standardizer.apply(encodeWithoutFamily(e.config, e.paramCount || null)) : null,
        y: normalizeCurves(e.curves, targetMean, targetStd),
        events: Uint8Array.from(EVENT_KINDS, (k) => e.events[k]),
        eventsKnown: knownOf.get(e) ?? null,
        forcedPrefix: observed ? { values: normalizeCurves(observed.curves, targetMean, targetStd), cutoff: cutoffIndex(observed.upToFraction) } : null,
        group: stepsGroup.get(e) ?? e.sweepId ?? null,
        family: e.family,
        anchors: useChance ? chanceAnchors(e.config, targetMean, targetStd, new Float64Array(CURVE_METRICS.length)) : null,
      };
    };
    // a small store needs fewer steps than early stopping would spend (and one too small to hold runs out has no early stopping)
    train.steps = Math.min(train.steps, Math.max(MIN_STEPS_CAP, STEPS_PER_TRAINING_RUN * trainEx.length));
    const { net, report } = trainEnsemble(this.engine, [...trainEx, ...truncated].map(rowOf), validEx.map(rowOf), { ...train, warmStart, onEval });
    this.state?.net.dispose();
    const families: Record<string, number> = {};
    for (const e of examples) families[e.family] = (families[e.family] ?? 0) + 1;
    this.state = {
      net, standardizer, targetMean, targetStd, calibration: new Float64Array(CALIBRATION_SETS * CURVE_METRICS.length).fill(1),
      support: SupportIndex.build(trainEx.map((e) => standardizer.apply(encoded.get(e)!, new Float32Array(FEATURE_COUNT)))),
      meta: {
        name: "ensemble", version: WORLD_MODEL_VERSION,
        trainedOn: {
          examples: examples.length, train: trainEx.length, valid: validEx.length, calibration: calibrationEx.length,
          diverged: examples.filter((e) => e.events.diverged).length, forks: examples.filter((e) => e.fork).length, families,
          truncated: truncated.length,
        },
        featureNames: [...FEATURE_NAMES], seed: train.seed, trainingSeconds: 0, options: train, chanceAnchors: useChance,
        report, validCoverage80: {},
      },
    };
    if (calibrationEx.length > 0) this.calibrate(calibrationEx, train.seed);
    this.state.meta.trainingSeconds = (performance.now() - started) / 1000;
  }

  /** Interval factors fitted on held-out runs (calibration.ts). */
  private calibrate(valid: Example[], seed: number): void {
    const s = this.trained;
    const { factors, coverage } = fitCalibration(valid, seed, (queries, opts) => this.predictSync(queries, opts));
    s.calibration.set(factors);
    Object.assign(s.meta.validCoverage80, coverage);
  }

  /** Which set of interval factors a query uses (calibration.ts): with a prefix, of a novel family, or config-only. */
  private calibrationOffset(query: Query): number {
    const M = CURVE_METRICS.length;
    if (cutoffIndex(query.observed?.upToFraction ?? 0) >= 0) return M;
    return this.isNovelFamily(query.config) ? 2 * M : 0;
  }

  /** Whether a config's task family had no runs in training (it is then predicted without its family, novel-family.ts). */
  isNovelFamily(config: unknown): boolean {
    return (this.trained.meta.trainedOn.families[familyOf(config)] ?? 0) === 0;
  }

  /**
   * The input rows (standardized encoding ⊕ prefix) of queries, row-major, and
   * each row's anchors per metric; `hideFamily` encodes every query without its
   * family (novel-family.ts), as runs of families without training runs always are.
   */
  inputRows(queries: readonly Query[], opts: { hideFamily?: boolean } = {}): { rows: Float32Array; anchors: Float64Array } {
    const s = this.trained;
    const IN = s.net.shape.inputs;
    const rows = new Float32Array(queries.length * IN);
    const enc = new Float32Array(FEATURE_COUNT);
    const prefix = new Float64Array(CURVE_OUTPUTS);
    const anchors = new Float64Array(queries.length * CURVE_METRICS.length);
    const A = CURVE_METRICS.length;
    queries.forEach((q, r) => {
      const hidden = opts.hideFamily || this.isNovelFamily(q.config);
      if (hidden) encodeWithoutFamily(q.config, undefined, enc);
      else encodeConfig(q.config, undefined, enc);
      s.standardizer.apply(enc, rows.subarray(r * IN, r * IN + FEATURE_COUNT));
      // in the family-agnostic mode the net departs from the training mean, as it learned to (ensemble-train.ts)
      if (s.meta.chanceAnchors && !hidden) chanceAnchors(q.config, s.targetMean, s.targetStd, anchors, r * A);
      const obs = q.observed;
      if (obs && cutoffIndex(obs.upToFraction) >= 0) {
        prefix.fill(NaN);
        CURVE_METRICS.forEach((m, mi) => {
          const v = obs.curves[m];
          if (v) for (let k = 0; k < CURVE_POINTS; k++) prefix[mi * CURVE_POINTS + k] = (v[k]! - s.targetMean[mi]!) / s.targetStd[mi]!;
        });
        writePrefix(prefix, cutoffIndex(obs.upToFraction), rows, r * IN + FEATURE_COUNT);
        prefixAnchors(prefix, cutoffIndex(obs.upToFraction), anchors, r * A, anchors, r * A);
      }
    });
    return { rows, anchors };
  }

  /** Every member's denormalized outputs (for paired comparisons, e.g. whatIf). */
  memberOutputs(queries: readonly Query[]): MemberOutputs {
    const s = this.trained;
    const { rows, anchors } = this.inputRows(queries);
    const raw = predictRaw(s.net, rows, queries.length);
    const mean = new Float64Array(raw.mean.length), variance = new Float64Array(raw.mean.length);
    for (let i = 0; i < raw.mean.length; i++) {
      const mi = Math.floor((i % CURVE_OUTPUTS) / CURVE_POINTS);
      const r = Math.floor(i / CURVE_OUTPUTS) % queries.length;
      const sd = s.targetStd[mi]!;
      mean[i] = (raw.mean[i]! + anchors[r * CURVE_METRICS.length + mi]!) * sd + s.targetMean[mi]!;
      variance[i] = raw.variance[i]! * sd * sd;
    }
    const prob = Float64Array.from(raw.logits, (z) => 1 / (1 + Math.exp(-z)));
    return { members: s.net.shape.members, rows: queries.length, mean, variance, prob };
  }

  predictSync(queries: readonly Query[], opts: { hideFamily?: boolean } = {}): Prediction[] {
    const s = this.trained;
    const N = queries.length;
    const { rows, anchors } = this.inputRows(queries, opts);
    const moments = predictMoments(s.net, rows, N);
    const preds: Prediction[] = [];
    // every curve of the batch is a view of one buffer: a small typed array of its
    // own costs a backing store each, and their garbage outweighed the network
    const curveBlock = new Float64Array(N * CURVE_METRICS.length * 2 * CURVE_POINTS);
    for (let r = 0; r < N; r++) {
      const curves = {} as Prediction["curves"];
      const calOffset = this.calibrationOffset(queries[r]!);
      CURVE_METRICS.forEach((m, mi) => {
        const sd = s.targetStd[mi]!, mu0 = s.targetMean[mi]!, cal = s.calibration[calOffset + mi]!;
        const anchor = anchors[r * CURVE_METRICS.length + mi]!;
        const at = ((r * CURVE_METRICS.length + mi) * 2) * CURVE_POINTS;
        const mean = curveBlock.subarray(at, at + CURVE_POINTS), std = curveBlock.subarray(at + CURVE_POINTS, at + 2 * CURVE_POINTS);
        for (let k = 0, i = r * CURVE_OUTPUTS + mi * CURVE_POINTS; k < CURVE_POINTS; k++, i++) {
          mean[k] = (moments.mean[i]! + anchor) * sd + mu0;
          std[k] = Math.sqrt(Math.max(0, moments.variance[i]!)) * sd * cal;
        }
        curves[m as CurveMetric] = { mean, std };
      });
      const events = {} as Record<EventKind, number>;
      EVENT_KINDS.forEach((k, e) => (events[k] = moments.prob[r * EVENT_OUTPUTS + e]!));
      preds.push({ curves, events, support: null });
    }
    return preds;
  }

  async predict(queries: Query[]): Promise<Prediction[]> {
    return this.predictSync(queries);
  }

  /** One prediction, with its support. */
  predictOne(query: Query): Prediction {
    const p = this.predictSync([query])[0]!;
    p.support = this.support(query);
    return p;
  }

  /** How much evidence stands behind a query: training runs near it in standardized encoding space. */
  support(query: Query): Support {
    const s = this.trained;
    return s.support.query(s.standardizer.apply(encodeConfig(query.config), new Float32Array(FEATURE_COUNT)));
  }

  serialize(): Uint8Array {
    return encodeState(this.trained);
  }

  static deserialize(bytes: Uint8Array, engine?: Engine): WorldModel {
    return WorldModel.fromState(decodeState(bytes), engine);
  }

  dispose(): void {
    this.state?.net.dispose();
    this.state = null;
    if (this.ownsEngine) void this.engine.close();
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
