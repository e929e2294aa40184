// The work one worker thread does for the queue: train one population of runs (or
// replay a run up to a fork point) on the thread's own engine, and hand back plain,
// cloneable results.

import { workerEngine } from "../engine/pool.js";
import type { Experiment } from "../universe/config/experiment.js";
import { decodeState } from "./checkpoint.js";
import type { MemberResult } from "./record.js";
import { trainPopulation } from "./train.js";

export interface GroupJob {
  configs: Experiment[];
  /** encoded member states to start from (forks), one per config */
  resume?: Uint8Array[] | null;
}

export interface CheckpointOut {
  member: number;
  step: number;
  data: Uint8Array;
}

export interface GroupJobResult {
  results: MemberResult[];
  checkpoints: CheckpointOut[];
}

export function trainGroup(job: GroupJob): GroupJobResult {
  const checkpoints: CheckpointOut[] = [];
  const results = trainPopulation(workerEngine(), job.configs, {
    onCheckpoint: (member, step, data) => checkpoints.push({ member, step, data }),
    resume: job.resume ? job.resume.map(decodeState) : undefined,
  });
  return { results, checkpoints };
}

/** Trains `config` from scratch up to `step` and returns its encoded state there. */
export function replayTo(args: { config: Experiment; step: number }): Uint8Array {
  const config: Experiment = { ...args.config, log: { ...args.config.log, checkpoints: [args.step] } };
  let state: Uint8Array | null = null;
  trainPopulation(workerEngine(), [config], { stopAt: args.step, onCheckpoint: (_m, _s, data) => (state = data) });
  if (!state) throw new Error(`replay: the run diverged before step ${args.step}, so there is no state to fork from`);
  return state;
}
