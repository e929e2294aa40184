// The `train` and `log` sections of an experiment config: optimizer, learning rate,
// schedule, regularization, batch, steps, init, seeds and the evaluation cadence.
// Every field has a default, a range and a one-line doc; this schema drives
// validation, defaults, `toyworld` help and the docs.

import { z } from "zod";

const seed = z.number().int().min(0).max(2 ** 31 - 1);

export const scheduleSchema = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("constant") }).describe("constant learning rate"),
  z.object({
    kind: z.literal("warmup"),
    warmupSteps: z.number().int().min(1).describe("steps of linear warmup from 0, then constant"),
  }),
  z.object({
    kind: z.literal("cosine"),
    warmupSteps: z.number().int().min(0).default(0).describe("steps of linear warmup before the decay"),
    minFactor: z.number().min(0).max(1).default(0).describe("final learning rate as a fraction of lr"),
  }).describe("cosine decay to minFactor over the run (totalSteps = train.steps)"),
  z.object({
    kind: z.literal("step"),
    stepSize: z.number().int().min(1).describe("steps between decays"),
    gamma: z.number().positive().max(1).describe("factor applied at every decay"),
  }),
]);

export const trainSchema = z.object({
  optimizer: z.enum(["sgd", "adam", "adamw"]).default("adamw").describe("update rule (PyTorch semantics)"),
  lr: z.number().positive().max(100).default(1e-3).describe("base learning rate"),
  weightDecay: z.number().min(0).max(100).default(0).describe("weight decay (decoupled for adamw, L2 otherwise)"),
  momentum: z.number().min(0).max(0.9999).default(0.9).describe("SGD momentum (sgd only)"),
  nesterov: z.boolean().default(false).describe("Nesterov momentum (sgd only)"),
  beta1: z.number().min(0).max(0.9999).default(0.9).describe("Adam beta1"),
  beta2: z.number().min(0).max(0.99999).default(0.999).describe("Adam beta2"),
  eps: z.number().positive().max(1).default(1e-8).describe("Adam epsilon"),
  schedule: scheduleSchema.default({ kind: "constant" }).describe("learning-rate schedule"),
  clipNorm: z.number().positive().nullable().default(null).describe("clip the global gradient norm to this value (null: off)"),
  batchSize: z.union([z.literal("full"), z.number().int().min(1).max(1 << 20)]).default(64)
    .describe('examples per step, or "full" for full-batch training on the fixed train set'),
  steps: z.number().int().min(1).max(100_000_000).default(1000).describe("optimizer steps"),
  initScale: z.number().positive().max(100).default(1).describe("multiplier on every parameter's initial values"),
  seed: seed.default(0).describe("seed of initialization and dropout (the batch order follows task.seed)"),
  evalPoints: z.number().int().min(2).max(5000).default(150)
    .describe("number of evaluation points, log-spaced over the run (plus the first and last step)"),
  evalExamples: z.number().int().min(1).max(1 << 20).default(512)
    .describe("examples of the train and test sets used per evaluation (subsampled when larger)"),
});

export const logSchema = z.object({
  sharpness: z.boolean().default(false).describe("record the top Hessian eigenvalue (costly)"),
  layerNorms: z.boolean().default(false).describe("record per-parameter norms"),
  effectiveRank: z.boolean().default(false).describe("record the effective rank of weight matrices"),
  checkpoints: z.array(z.number().int().min(0)).default([]).describe("steps at which to save parameters and optimizer state"),
});

export type TrainConfig = z.infer<typeof trainSchema>;
export type LogConfig = z.infer<typeof logSchema>;
export const seedSchema = seed;
