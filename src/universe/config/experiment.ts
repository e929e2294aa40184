// The experiment schema: `task` (a family and its parameters), `model` (a unit tree),
// `train`, `log` and an optional `name`, composed from the task and unit registries
// so that adding a family or a unit extends the config language by itself.

import { z } from "zod";
import { taskNames, tasks, type TaskName } from "../tasks/index.js";
import { unitTreeSchema } from "../units/index.js";
import { logSchema, seedSchema, trainSchema } from "./train.js";

/** Fields every task has besides its family's own parameters. */
export const commonTaskFields = {
  difficulty: z.number().min(0).max(1).nullable().default(null)
    .describe("difficulty knob in [0, 1]; fills the family parameters not given explicitly"),
  seed: seedSchema.default(0).describe("seed of the data (train and test sets)"),
  trainSize: z.union([z.number().int().min(1).max(10_000_000), z.literal("stream")]).default(1024)
    .describe('examples in the fixed train set, or "stream" for fresh examples every batch (finite families may cap it)'),
  testSize: z.number().int().min(1).max(1_000_000).default(1024).describe("examples in the held-out test set"),
};

function taskObject<K extends TaskName>(name: K) {
  return tasks[name].params.extend({ family: z.literal(name), ...commonTaskFields }).strict();
}

export const taskSchema = z.discriminatedUnion(
  "family",
  taskNames.map(taskObject) as unknown as [ReturnType<typeof taskObject>, ...ReturnType<typeof taskObject>[]],
);

export const experimentSchema = z.strictObject({
  name: z.string().max(200).optional().describe("a label for people; not part of the experiment's identity"),
  task: taskSchema.describe("the task family and its parameters"),
  model: unitTreeSchema.describe("the model as a tree of units"),
  train: trainSchema.strict().prefault({}).describe("the training recipe"),
  log: logSchema.strict().prefault({}).describe("extra metrics and checkpoints"),
});

/** A validated task: the common fields typed, the family's own parameters by name. */
export interface TaskConfig {
  family: TaskName;
  difficulty: number | null;
  seed: number;
  trainSize: number | "stream";
  testSize: number;
  [param: string]: unknown;
}

export type ExperimentInput = z.input<typeof experimentSchema>;
export type Experiment = Omit<z.output<typeof experimentSchema>, "task"> & { task: TaskConfig };
