// The registry of task families. Adding a name to taskNames without an entry in
// `tasks` (or the reverse) is a compile error.

import type { TaskFamily } from "./family.js";
import { associativeRecall } from "./associative-recall.js";
import { dyck } from "./dyck.js";
import { gaussianMixture } from "./gaussian-mixture.js";
import { inContextRegression } from "./in-context-regression.js";
import { markovChain } from "./markov-chain.js";
import { modularArithmetic } from "./modular-arithmetic.js";
import { playground } from "./playground.js";
import { randomHierarchy } from "./random-hierarchy.js";
import { sequence } from "./sequence.js";
import { sparseParity } from "./sparse-parity.js";
import { symbolicRegression } from "./symbolic-regression.js";
import { teacherStudent } from "./teacher-student.js";

export const taskNames = [
  "modular-arithmetic",
  "sparse-parity",
  "teacher-student",
  "gaussian-mixture",
  "symbolic-regression",
  "playground",
  "sequence",
  "associative-recall",
  "in-context-regression",
  "dyck",
  "random-hierarchy",
  "markov-chain",
] as const;

export type TaskName = typeof taskNames[number];

export const tasks: { readonly [K in TaskName]: TaskFamily } = {
  "modular-arithmetic": modularArithmetic,
  "sparse-parity": sparseParity,
  "teacher-student": teacherStudent,
  "gaussian-mixture": gaussianMixture,
  "symbolic-regression": symbolicRegression,
  "playground": playground,
  "sequence": sequence,
  "associative-recall": associativeRecall,
  "in-context-regression": inContextRegression,
  "dyck": dyck,
  "random-hierarchy": randomHierarchy,
  "markov-chain": markovChain,
};

export function isTaskName(name: string): name is TaskName {
  return (taskNames as readonly string[]).includes(name);
}

/** The family called `name`, or undefined. */
export function getTask(name: string): TaskFamily | undefined {
  return isTaskName(name) ? tasks[name] : undefined;
}

export type { TaskFamily } from "./family.js";
