// Grouping of experiments into engine populations. Experiments that differ only in
// seeds or in per-member hyperparameters share every shape and every step of the
// training loop, so they train as one population in one pass; the user never has
// to ask for it.

import { canonicalJson } from "../universe/config/canonical.js";
import type { Experiment } from "../universe/config/experiment.js";

/** Config paths that may differ between members of one population. */
export const PER_MEMBER_PATHS = [
  "task.seed",
  "train.seed",
  "train.lr",
  "train.weightDecay",
  "train.momentum",
  "train.beta1",
  "train.beta2",
  "train.initScale",
] as const;

/** The experiment with its per-member fields blanked: equal keys can share a population. */
export function populationKey(config: Experiment): string {
  const task: Record<string, unknown> = { ...config.task, seed: null };
  const train: Record<string, unknown> = { ...config.train };
  for (const path of PER_MEMBER_PATHS) {
    const [section, key] = path.split(".") as [string, string];
    if (section === "train") train[key] = null;
  }
  return canonicalJson({ task, model: config.model, train });
}

export interface Group<T> {
  key: string;
  items: T[];
}

/**
 * Groups items by key (e.g. populationKey of their config), keeping the input order
 * within and across groups and splitting groups larger than maxMembers.
 */
export function groupIntoPopulations<T>(items: T[], keyOf: (item: T) => string, maxMembers: number): Group<T>[] {
  const byKey = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    let list = byKey.get(key);
    if (!list) byKey.set(key, (list = []));
    list.push(item);
  }
  const groups: Group<T>[] = [];
  for (const [key, list] of byKey) {
    for (let i = 0; i < list.length; i += maxMembers) groups.push({ key, items: list.slice(i, i + maxMembers) });
  }
  return groups;
}
