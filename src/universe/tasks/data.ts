// Shared machinery of the task families: seeded random sources with disjoint
// counter ranges, size validation, array allocation from a spec, a generator for
// families that draw each example independently (fixed train set or stream, plus a
// held-out test set from another counter range), and a batcher that draws seeded
// epochs without replacement from a fixed train set.
//
// Counter layout (all under the task seed):
//   Stream.task     structure of the task (teacher weights, relevant bits, rules, splits);
//                   `purpose` selects a range of 2^40 counters.
//   Stream.data     examples: part (train 0, test 1) selects a range of 2^48 counters and
//                   example i of a part owns the 2^16 counters from i * 2^16, so an
//                   example is the same whichever set or batch asks for it.
//   Stream.shuffle  epoch permutations of a fixed train set (epoch e owns counters from
//                   e * n) or draws with replacement.

import { Rng, Stream } from "../../engine/rng.js";
import type { DataSizes, Examples, ParamIssue, TaskInstance, TaskSpec } from "./family.js";

export const TRAIN = 0;
export const TEST = 1;

const PART_COUNTERS = 2 ** 48;
/** Random draws one example may use (a normal costs two). Families size their limits by this. */
export const EXAMPLE_COUNTERS = 2 ** 16;
const PURPOSE_COUNTERS = 2 ** 40;

/** The source of example `i` of `part` (TRAIN or TEST). */
export function exampleRng(seed: number, part: number, i: number): Rng {
  return new Rng(seed, Stream.data, part * PART_COUNTERS + i * EXAMPLE_COUNTERS);
}

/** The source of the task's fixed structure; distinct purposes never overlap. */
export function taskRng(seed: number, purpose = 0): Rng {
  return new Rng(seed, Stream.task, purpose * PURPOSE_COUNTERS);
}

/** Values per example in x. */
export function xWidth(spec: TaskSpec): number {
  return spec.input.kind === "vector" ? spec.input.dim : spec.input.length;
}

/** Values per example in y. */
export function yWidth(spec: TaskSpec): number {
  return spec.output.kind === "classes" ? (spec.output.positions ?? 1) : spec.output.dim;
}

/** The largest number of values one array may hold (128 Mi, 512 MB as f32). */
export const MAX_ARRAY_VALUES = 2 ** 27;

/** Zeroed arrays for n examples, typed as the spec says (tokens and labels are i32). */
export function allocate(spec: TaskSpec, n: number): Examples {
  const xw = xWidth(spec), yw = yWidth(spec);
  if (n * xw > MAX_ARRAY_VALUES || n * yw > MAX_ARRAY_VALUES) {
    throw new RangeError(`${n} examples of ${xw} inputs and ${yw} outputs exceed ${MAX_ARRAY_VALUES} values per array`);
  }
  return {
    n,
    x: spec.input.kind === "tokens" ? new Int32Array(n * xw) : new Float32Array(n * xw),
    y: spec.output.kind === "classes" ? new Int32Array(n * yw) : new Float32Array(n * yw),
  };
}

/** A spec's metrics and loss from its output kind. */
export function specOf(input: TaskSpec["input"], output: TaskSpec["output"]): TaskSpec {
  return output.kind === "classes"
    ? { input, output, loss: "crossEntropy", metrics: ["loss", "accuracy"] }
    : { input, output, loss: "mse", metrics: ["loss"] };
}

function isCount(v: unknown, min: number): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= min;
}

/** Throws a RangeError unless trainSize is "stream" or an integer >= 1 and testSize an integer >= 1. */
export function checkSizes(sizes: DataSizes): void {
  if (sizes.trainSize !== "stream" && !isCount(sizes.trainSize, 1)) {
    throw new RangeError(`trainSize must be "stream" or an integer >= 1, got ${String(sizes.trainSize)}`);
  }
  if (!isCount(sizes.testSize, 1)) {
    throw new RangeError(`testSize must be an integer >= 1, got ${String(sizes.testSize)}`);
  }
}

/** Throws if a batch request is not (integer >= 0, integer >= 1). */
export function checkBatch(index: number, size: number): void {
  if (!isCount(index, 0)) throw new RangeError(`batch index must be an integer >= 0, got ${index}`);
  if (!isCount(size, 1)) throw new RangeError(`batch size must be an integer >= 1, got ${size}`);
}

/** Throws when a family's own check finds problems (build is called with checked params; this is a guard). */
export function assertNoIssues(family: string, issues: ParamIssue[] | undefined): void {
  if (issues && issues.length > 0) {
    const text = issues.map((i) => `${i.path.join(".") || "(params)"}: ${i.message}`).join("; ");
    throw new RangeError(`${family}: ${text}`);
  }
}

/**
 * Writes one example: x row at xo (xWidth values), y row at yo (yWidth values).
 * It must draw all its randomness from `rng` and use at most EXAMPLE_COUNTERS draws.
 */
export type WriteExample = (rng: Rng, x: Examples["x"], xo: number, y: Examples["y"], yo: number) => void;

/** Examples first..first+n-1 of `part`. */
export function generate(spec: TaskSpec, seed: number, part: number, first: number, n: number, write: WriteExample): Examples {
  const out = allocate(spec, n);
  const xw = xWidth(spec), yw = yWidth(spec);
  for (let i = 0; i < n; i++) write(exampleRng(seed, part, first + i), out.x, i * xw, out.y, i * yw);
  return out;
}

/**
 * A task whose examples are drawn independently: the fixed train set is examples
 * 0..trainSize-1 of the train part, a stream batch (index, size) is examples
 * index*size .. index*size+size-1 of the same part, and the test set comes from the
 * test part, so it never shares a random draw with training data.
 */
export function generatedTask(spec: TaskSpec, seed: number, sizes: DataSizes, write: WriteExample): TaskInstance {
  checkSizes(sizes);
  const test = generate(spec, seed, TEST, 0, sizes.testSize, write);
  if (sizes.trainSize === "stream") {
    return {
      spec,
      train: null,
      test,
      batch(index, size) {
        checkBatch(index, size);
        return generate(spec, seed, TRAIN, index * size, size, write);
      },
    };
  }
  const train = generate(spec, seed, TRAIN, 0, sizes.trainSize, write);
  return { spec, train, test, batch: epochBatcher(spec, train, seed) };
}

/** The rows `indices` of `src`, in that order. */
export function gather(spec: TaskSpec, src: Examples, indices: ArrayLike<number>): Examples {
  const out = allocate(spec, indices.length);
  const xw = xWidth(spec), yw = yWidth(spec);
  for (let i = 0; i < indices.length; i++) {
    const r = indices[i]!;
    out.x.set(src.x.subarray(r * xw, (r + 1) * xw), i * xw);
    out.y.set(src.y.subarray(r * yw, (r + 1) * yw), i * yw);
  }
  return out;
}

/**
 * Batches from a fixed train set: example position p = index*size + j falls in epoch
 * floor(p / n) at slot p mod n of that epoch's seeded permutation, so every epoch
 * visits each example exactly once and a batch is a pure function of (seed, index, size).
 */
export function epochBatcher(spec: TaskSpec, train: Examples, seed: number): TaskInstance["batch"] {
  const n = train.n;
  // One cached permutation; a pure memo, so results do not depend on call order.
  let cachedEpoch = -1;
  let cachedPerm: Int32Array = new Int32Array(0);
  const perm = (epoch: number): Int32Array => {
    if (epoch !== cachedEpoch) {
      cachedPerm = new Rng(seed, Stream.shuffle, epoch * n).permutation(n);
      cachedEpoch = epoch;
    }
    return cachedPerm;
  };
  return (index, size) => {
    checkBatch(index, size);
    const rows = new Int32Array(size);
    for (let j = 0; j < size; j++) {
      const p = index * size + j;
      rows[j] = perm(Math.floor(p / n))[p % n]!;
    }
    return gather(spec, train, rows);
  };
}

/** Batches drawn with replacement from a fixed set (for finite universes asked to stream). */
export function replacementBatcher(spec: TaskSpec, train: Examples, seed: number): TaskInstance["batch"] {
  return (index, size) => {
    checkBatch(index, size);
    const rng = new Rng(seed, Stream.shuffle, index * size);
    const rows = new Int32Array(size);
    for (let j = 0; j < size; j++) rows[j] = rng.int(train.n);
    return gather(spec, train, rows);
  };
}

/** k distinct integers drawn uniformly from [0, N), in draw order (sparse Fisher-Yates, O(k)). */
export function sampleDistinct(rng: Rng, N: number, k: number): number[] {
  if (k > N) throw new RangeError(`cannot draw ${k} distinct values from ${N}`);
  const moved = new Map<number, number>();
  const out: number[] = [];
  for (let i = 0; i < k; i++) {
    const j = i + Math.min(N - i - 1, Math.floor(rng.uniform() * (N - i)));
    const vj = moved.get(j) ?? j;
    moved.set(j, moved.get(i) ?? i);
    out.push(vj);
  }
  return out;
}

/** d clamped to [0, 1] (NaN counts as 0). */
export function clamp01(d: number): number {
  return d > 1 ? 1 : d > 0 ? d : 0;
}

/** Rounds a + (b - a) * d for d clamped to [0, 1]: a monotone integer knob. */
export function lerpInt(a: number, b: number, d: number): number {
  return Math.round(a + (b - a) * clamp01(d));
}

/** a * (b / a)^d for d clamped to [0, 1]: a monotone geometric knob (a, b > 0). */
export function geom(a: number, b: number, d: number): number {
  return a * Math.pow(b / a, clamp01(d));
}

export function isPrime(p: number): boolean {
  if (!Number.isSafeInteger(p) || p < 2) return false;
  for (let q = 2; q * q <= p; q++) if (p % q === 0) return false;
  return true;
}
