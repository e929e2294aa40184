// What a task family is: a parameter schema with defaults and ranges, one difficulty
// knob, the shapes and loss it declares, and a deterministic data generator with a
// fixed train set or an unlimited stream plus a held-out test set.
//
// Families know nothing of models, the engine or the store: they produce typed
// arrays. Every family is one file registered in tasks/index.ts.

import type { z } from "zod";

/** What a model receives per example. */
export type InputSpec =
  /** f32 features, x: [n, dim] */
  | { kind: "vector"; dim: number }
  /** i32 token ids in [0, vocab), x: [n, length] */
  | { kind: "tokens"; length: number; vocab: number };

/** What a model must produce per example. */
export type OutputSpec =
  /** i32 labels in [0, classes): y [n] (one label per example) or [n, positions] (one per position) */
  | { kind: "classes"; classes: number; positions: number | null }
  /** f32 targets, y: [n, dim] */
  | { kind: "regression"; dim: number };

export type Metric = "loss" | "accuracy";

export interface TaskSpec {
  input: InputSpec;
  output: OutputSpec;
  loss: "crossEntropy" | "mse";
  /** metrics the runner records on train and test data */
  metrics: Metric[];
}

/** n examples, row-major: x holds n * (dim or length) values, y n * (1, positions or dim). */
export interface Examples {
  n: number;
  x: Float32Array | Int32Array;
  y: Float32Array | Int32Array;
}

export interface TaskInstance {
  spec: TaskSpec;
  /** the fixed training set, or null for stream tasks (trainSize "stream") */
  train: Examples | null;
  /**
   * A training batch of `size` examples; `index` counts batches from 0. The same
   * (seed, index, size) always gives the same batch. For a fixed train set this is a
   * seeded draw without replacement within each epoch; for a stream, fresh examples.
   */
  batch(index: number, size: number): Examples;
  /** the held-out test set, disjoint from the fixed train set where the family is finite */
  test: Examples;
}

/** Sizes requested by the experiment (families with a finite universe may ignore trainSize). */
export interface DataSizes {
  trainSize: number | "stream";
  testSize: number;
}

/** A cross-field problem found by a family's own check (e.g. k > n). */
export interface ParamIssue {
  /** path inside the task params, e.g. ["k"] */
  path: (string | number)[];
  message: string;
}

export interface TaskFamily<Schema extends z.ZodObject = z.ZodObject> {
  /** the value of task.family, kebab-case, e.g. "sparse-parity" */
  name: string;
  /** one sentence for `toyworld tasks` */
  summary: string;
  /** the family's own parameters (every field with a default and a described range) */
  params: Schema;
  /**
   * Maps difficulty in [0, 1] onto the natural parameters (0 easiest, 1 hardest).
   * Explicit parameters in a config win over these values.
   */
  difficulty(d: number): Partial<z.infer<Schema>>;
  /** cross-field checks beyond the schema */
  check?(params: z.infer<Schema>): ParamIssue[];
  spec(params: z.infer<Schema>): TaskSpec;
  /** deterministic in (params, seed, sizes) */
  build(params: z.infer<Schema>, seed: number, sizes: DataSizes): TaskInstance;
}
