// `toyworld demo`: the main job end to end on one store (the embedded SQLite file
// by default). One round: sample and train a few hundred diverse toy runs (a slice
// of the world model's standing dataset, populations where possible; the
// detectors run on them), list the top findings, train the world model
// (warm-started from the previous version), evaluate it against the baselines on held-out runs, then
// ask one "what if" question about a real run and verify it by running it.
//
// Rounds are datasets of their own seed (DEMO_SEED_BASE + round), so a second
// `demo` on the same store resumes an interrupted round or adds the next one: the
// world model sees more runs each time instead of starting over.

import { availableParallelism } from "node:os";
import { defaultStoreUrl, openStore, type RunRecord, type Store } from "../store/index.js";
import { datasetRuns } from "../worldmodel/dataset.js";
import { datasetCommand } from "./worldmodel-dataset.js";
import { detectAfterRuns, phenomenaCommand } from "./phenomena.js";
import { evalCommand } from "./worldmodel-eval.js";
import { trainCommand, whatifCommand } from "./worldmodel.js";
import { UsageError } from "./errors.js";

/** datasets of the demo use seeds from here on (the standing dataset uses small seeds) */
export const DEMO_SEED_BASE = 1000;
/** runs per round: a few hundred, about 5 minutes of training on 2 cores */
export const DEMO_RUNS = 240;
/** the question the demo asks of a real run */
export const DEMO_CHANGE = "train.lr=x2";

export interface DemoFlags {
  db?: string;
  runs?: string;
  threads?: string;
}

function intFlag(name: string, raw: string | undefined, fallback: number, min: number): number {
  const v = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(v) || v < min) throw new UsageError(`--${name} must be an integer >= ${min}, got '${raw}'`);
  return v;
}

/** The first round whose dataset is not complete yet (to resume it), or the next new one. */
export async function nextRound(store: Store, runsPerRound: number): Promise<{ round: number; seed: number; resumed: boolean }> {
  for (let round = 0; ; round++) {
    const seed = DEMO_SEED_BASE + round;
    const runs = [...(await datasetRuns(store, seed)).values()];
    const finished = runs.filter((r) => r.status !== "queued" && r.status !== "running").length;
    if (runs.length === 0) return { round, seed, resumed: false };
    if (runs.length < runsPerRound || finished < runs.length) return { round, seed, resumed: true };
  }
}

/**
 * A finished run of the round to ask the question about: completed (not diverged),
 * not part of a sweep (so its lr x2 neighbour is not already stored), cheap to
 * rerun, and chosen deterministically from the round's runs.
 */
export function pickQuestionRun(runs: readonly RunRecord[], round: number): RunRecord | null {
  const candidates = runs
    .filter((r) => r.status === "completed" && r.sweepId === null && (r.wallSeconds ?? Infinity) < 5)
    .sort((a, b) => (a.name ?? a.id).localeCompare(b.name ?? b.id));
  if (candidates.length === 0) return null;
  return candidates[(round * 7919) % candidates.length]!;
}

function banner(text: string): void {
  process.stdout.write(`\n== ${text} ==\n`);
}

export async function demoCommand(flags: DemoFlags): Promise<void> {
  const runs = intFlag("runs", flags.runs, DEMO_RUNS, 20);
  const threads = intFlag("threads", flags.threads, availableParallelism(), 1);
  const db = defaultStoreUrl(flags.db);
  const started = performance.now();
  const elapsed = () => `${((performance.now() - started) / 1000).toFixed(0)} s`;

  const store = await openStore(db);
  let round: Awaited<ReturnType<typeof nextRound>>;
  let before: number;
  try {
    round = await nextRound(store, runs);
    before = (await store.listRuns({ status: ["completed", "diverged"] })).length;
  } finally {
    await store.close();
  }
  process.stdout.write(`toyworld demo, round ${round.round + 1}${round.resumed ? " (resumed)" : ""} on ${db}: ${before} finished runs stored before this round\n`);

  banner(`1/5 sample and train ${runs} diverse toy runs (${threads} threads) [${elapsed()}]`);
  await datasetCommand({ db, runs: String(runs), seed: String(round.seed), threads: String(threads) });

  // the dataset command ran the detectors on every run it finished; runs an
  // interrupted round finished before the interruption get theirs here
  banner(`2/5 the most interesting phenomena found so far [${elapsed()}]`);
  if (round.resumed) {
    const store = await openStore(db);
    try {
      await detectAfterRuns(store, [...(await datasetRuns(store, round.seed)).values()].map((r) => r.id), { quiet: false, skipEmpty: true });
    } finally {
      await store.close();
    }
  }
  await phenomenaCommand({ db, limit: "10", perKind: "2" });

  banner(`3/5 train the world model [${elapsed()}]`);
  await trainCommand({ db });

  banner(`4/5 evaluate it against the baselines on held-out runs (random split) [${elapsed()}]`);
  await evalCommand({ db, split: "random" });

  const again = await openStore(db);
  let question: RunRecord | null;
  try {
    question = pickQuestionRun([...(await datasetRuns(again, round.seed)).values()], round.round);
  } finally {
    await again.close();
  }
  if (question === null) {
    process.stdout.write("\nno completed, cheap, stand-alone run in this round to ask a question about; skipping what-if\n");
  } else {
    banner(`5/5 what if ${DEMO_CHANGE} on run ${question.id} (${question.name}, ${question.family})? predict, then verify by running it [${elapsed()}]`);
    await whatifCommand(question.id, { db, set: [DEMO_CHANGE], verify: true, threads: String(threads) });
  }
  process.stdout.write(`\ndemo round ${round.round + 1} done in ${elapsed()}. Run \`npx toyworld demo\` again to add another round to the same store; ` +
    "`npx toyworld phenomena`, `npx toyworld whatif RUN --set ...`, `npx toyworld worldmodel eval` to look further.\n");
}
