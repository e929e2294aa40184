// Evaluation of a population on fixed subsets of its train and test sets: loss and
// (for classification) accuracy per member, plus the parameter norm. Runs without
// autograd and in chunks, so large evaluation sets fit in memory.

import type { Engine, Tensor } from "../engine/index.js";
import type { Model } from "../universe/model.js";
import type { Examples, TaskInstance, TaskSpec } from "../universe/tasks/family.js";
import { sliceExamples, stackMembers } from "./data.js";

/** Rows per member and chunk, scaled so that a chunk of the population stays small. */
const ROWS_PER_CHUNK = 16384;
/**
 * Batch index of the train-side evaluation set of stream tasks: far beyond any
 * training batch (2^36 examples in), yet small enough that the examples' RNG
 * counters stay exact integers.
 */
const streamEvalIndex = (examples: number) => Math.floor(2 ** 36 / examples);

interface Chunk { x: Tensor; y: Tensor; n: number }

export interface EvalSets {
  train: Chunk[];
  test: Chunk[];
  dispose(): void;
}

export interface EvalMetrics {
  train_loss: number;
  test_loss: number;
  train_acc: number | null;
  test_acc: number | null;
  param_norm: number;
}

function chunks(engine: Engine, sets: Examples[], spec: TaskSpec, size: number): Chunk[] {
  const n = Math.min(...sets.map((s) => s.n));
  const out: Chunk[] = [];
  for (let from = 0; from < n; from += size) {
    const count = Math.min(size, n - from);
    const { x, y } = stackMembers(engine, sets.map((s) => sliceExamples(s, from, count, spec)), spec);
    out.push({ x: engine.keep(x), y: engine.keep(y), n: count });
  }
  return out;
}

export function makeEvalSets(engine: Engine, instances: TaskInstance[], spec: TaskSpec, examples: number): EvalSets {
  const chunkSize = Math.max(1, Math.min(examples, Math.floor(ROWS_PER_CHUNK / instances.length)));
  const take = (e: Examples) => sliceExamples(e, 0, Math.min(examples, e.n), spec);
  const trainSets = instances.map((inst) => take(inst.train ?? inst.batch(streamEvalIndex(examples), examples)));
  const sets = {
    train: chunks(engine, trainSets, spec, chunkSize),
    test: chunks(engine, instances.map((inst) => take(inst.test)), spec, chunkSize),
  };
  return {
    ...sets,
    dispose() {
      for (const c of [...sets.train, ...sets.test]) {
        c.x.dispose();
        c.y.dispose();
      }
    },
  };
}

function lossAndAccuracy(engine: Engine, model: Model, set: Chunk[]): { loss: Float64Array; acc: Float64Array | null } {
  const P = model.members;
  const loss = new Float64Array(P);
  const acc = model.accuracy ? new Float64Array(P) : null;
  let total = 0;
  for (const c of set) {
    engine.scope(() => {
      const pred = model.forward(c.x, { training: false, step: 0, dropoutSeeds: [] });
      const l = model.loss(pred, c.y).toFloat32();
      for (let m = 0; m < P; m++) loss[m] = loss[m]! + l[m]! * c.n;
      const a = model.accuracy?.(pred, c.y);
      if (a && acc) for (let m = 0; m < P; m++) acc[m] = acc[m]! + a[m]! * c.n;
    });
    total += c.n;
  }
  for (let m = 0; m < P; m++) {
    loss[m] = loss[m]! / total;
    if (acc) acc[m] = acc[m]! / total;
  }
  return { loss, acc };
}

function paramNorms(engine: Engine, model: Model): Float64Array {
  const P = model.members;
  const sq = new Float64Array(P);
  for (const { tensor } of model.params) {
    const per = tensor.size / P;
    for (let m = 0; m < P; m++) sq[m] = sq[m]! + engine.kernels.sumSquares(tensor.ptr + m * per * 4, per);
  }
  return sq.map(Math.sqrt);
}

export function evaluate(engine: Engine, model: Model, sets: EvalSets): EvalMetrics[] {
  return engine.noGrad(() => {
    const train = lossAndAccuracy(engine, model, sets.train);
    const test = lossAndAccuracy(engine, model, sets.test);
    const norms = paramNorms(engine, model);
    return Array.from({ length: model.members }, (_, m) => ({
      train_loss: train.loss[m]!,
      test_loss: test.loss[m]!,
      train_acc: train.acc ? train.acc[m]! : null,
      test_acc: test.acc ? test.acc[m]! : null,
      param_norm: norms[m]!,
    }));
  });
}
