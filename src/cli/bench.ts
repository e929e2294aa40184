// `toyworld bench`: times the standard workloads (src/engine/bench/workloads.ts) on
// our engine, then runs the PyTorch reference (torch_bench.py) on the same workloads
// and prints both with the speed ratio. Single-model workloads run on one engine in
// this thread with --threads kernel threads (large matmuls split between them, see
// engine/kernels/threaded.ts); the population is split into one sub-population per
// worker of the pool, each on one thread, all timed over one shared wall-clock
// window; the matmul kernel is timed on one pool worker, on one thread.

import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { Engine, type Backend } from "../engine/engine.js";
import { WorkerPool, workerEngine } from "../engine/pool.js";
import { measureMatmul } from "../engine/bench/matmul.js";
import { UsageError } from "./errors.js";
import { POPULATION, buildWorkload, isWorkloadName, workloadNames, type Workload, type WorkloadName } from "../engine/bench/workloads.js";


export type BenchWorkload = WorkloadName | "matmul";
export interface BenchOptions {
  seconds: number;
  threads: number;
  json: boolean;
  torch: boolean;
  backend: Backend;
  workloads: BenchWorkload[];
}

/** Validates the raw command-line values of `toyworld bench`. */
export function parseBenchOptions(
  workloads: string[], raw: { seconds?: string; threads?: string; json?: boolean; torch?: boolean; backend?: string },
): BenchOptions {
  const seconds = Number(raw.seconds ?? "3");
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`--seconds must be a positive number, got '${raw.seconds}'`);
  const threads = raw.threads === undefined ? availableParallelism() : Number(raw.threads);
  if (!Number.isInteger(threads) || threads < 1) throw new UsageError(`--threads must be a positive integer, got '${raw.threads}'`);
  const known = [...workloadNames, "matmul"];
  for (const w of workloads) {
    if (!known.includes(w)) throw new UsageError(`unknown workload '${w}' (known: ${known.join(", ")})`);
  }
  const backend = raw.backend ?? "wasm";
  if (backend !== "wasm" && backend !== "reference") throw new UsageError(`unknown backend '${backend}'`);
  const chosen = workloads.length > 0 ? [...new Set(workloads)] : [...workloadNames];
  return { seconds, threads, json: raw.json ?? false, torch: raw.torch ?? true, backend, workloads: chosen as BenchWorkload[] };
}

// ---- the job, run on a pool worker ----

export interface BenchJob {
  workload: BenchWorkload;
  seconds: number;
  /** population slice */
  first?: number;
  members?: number;
  /** shared barrier [arrived, go | start time f64]: every worker starts its window together */
  barrier?: SharedArrayBuffer;
  parties?: number;
}
export interface BenchJobResult { steps: number; seconds: number; members: number; finalLoss: number | null; gflops?: number }

const now = (): number => performance.timeOrigin + performance.now();

/** Waits for every party; returns the common start time (ms since the epoch) set by the last to arrive. */
function rendezvous(barrier: SharedArrayBuffer, parties: number): number {
  const flags = new Int32Array(barrier, 0, 2), start = new Float64Array(barrier, 8, 1);
  if (Atomics.add(flags, 0, 1) + 1 === parties) {
    start[0] = now();
    Atomics.store(flags, 1, 1);
    Atomics.notify(flags, 1);
  }
  const deadline = Date.now() + 120_000;
  while (Atomics.load(flags, 1) === 0) {
    if (Date.now() > deadline) throw new Error(`bench: only ${Atomics.load(flags, 0)} of ${parties} workers started`);
    Atomics.wait(flags, 1, 0, 100);
  }
  return start[0]!;
}

/** Warm-up (JIT, heap pool), then steps for `seconds` (and at least 5) from the start time. */
function timeSteps(w: Workload, seconds: number, start: () => number): { steps: number; seconds: number; finalLoss: number } {
  const warm = Math.min(1, 0.1 * seconds) * 1000;
  const w0 = now();
  for (let n = 0; n < 2 || now() - w0 < warm; n++) w.step();
  const t0 = start();
  let steps = 0, loss = NaN, elapsed = 0;
  do {
    loss = w.step();
    steps++;
    elapsed = now() - t0;
  } while (elapsed < seconds * 1000 || steps < 5);
  return { steps, seconds: elapsed / 1000, finalLoss: loss };
}

/** Pool job: builds a workload on this worker's engine and times it. */
export function benchJob(job: BenchJob): BenchJobResult {
  const engine = workerEngine();
  if (job.workload === "matmul") {
    const { gflops } = measureMatmul(engine.kernels, engine.heap, 256, 256, 256, false, false, job.seconds);
    return { steps: (gflops * 1e9) / (2 * 256 ** 3), seconds: 1, members: 1, finalLoss: null, gflops };
  }
  const w = buildWorkload(job.workload, { engine, first: job.first, members: job.members });
  try {
    const start = job.barrier ? () => rendezvous(job.barrier!, job.parties!) : now;
    return { ...timeSteps(w, job.seconds, start), members: w.members };
  } finally {
    w.dispose();
  }
}

/** A single-model workload on an engine of its own in this thread, with `threads` kernel threads. */
async function benchSingle(workload: WorkloadName, seconds: number, threads: number, backend: Backend): Promise<BenchJobResult & { threads: number }> {
  const engine = new Engine({ backend, threads });
  try {
    const w = buildWorkload(workload, { engine });
    try {
      // the warm-up of timeSteps also lets the helper threads start and the split be measured
      return { ...timeSteps(w, seconds, now), members: w.members, threads: engine.threads };
    } finally {
      w.dispose();
    }
  } finally {
    await engine.close();
  }
}

// ---- the command ----

export interface Row {
  workload: string;
  impl: string;
  threads: number;
  steps_per_s: number;
  model_steps_per_s: number;
  final_loss: number | null;
  ratio_vs_torch?: number | null;
  ratio_vs_torch_batched?: number | null;
  gflops?: number;
}

const round = (x: number, digits: number): number => Number(x.toFixed(digits));
const JOB = import.meta.url;

async function measure(pool: WorkerPool, workload: BenchWorkload, o: BenchOptions): Promise<Row> {
  const { seconds } = o;
  if (workload !== "population") {
    const r = workload === "matmul"
      ? { ...await pool.run<BenchJobResult>(JOB, "benchJob", { workload, seconds } satisfies BenchJob), threads: 1 }
      : await benchSingle(workload, seconds, o.threads, o.backend);
    const sps = r.steps / r.seconds;
    const row: Row = { workload, impl: "toyworld", threads: r.threads, steps_per_s: round(sps, 2), model_steps_per_s: round(sps * r.members, 1),
      final_loss: r.finalLoss === null ? null : round(r.finalLoss, 4) };
    if (r.gflops !== undefined) row.gflops = round(r.gflops, 2);
    return row;
  }
  // One sub-population per worker, all timed over the same window.
  const parts = Math.min(pool.threads, POPULATION);
  const barrier = new SharedArrayBuffer(16);
  const jobs = Array.from({ length: parts }, (_, k) => {
    const first = Math.floor((k * POPULATION) / parts), end = Math.floor(((k + 1) * POPULATION) / parts);
    const job: BenchJob = { workload, seconds, first, members: end - first, barrier, parties: parts };
    return pool.run<BenchJobResult>(JOB, "benchJob", job);
  });
  const results = await Promise.all(jobs);
  const modelSteps = results.reduce((s, r) => s + (r.steps * r.members) / r.seconds, 0);
  const loss = results.reduce((s, r) => s + r.finalLoss! * r.members, 0) / POPULATION;
  return { workload, impl: "toyworld", threads: parts, steps_per_s: round(modelSteps / POPULATION, 2),
    model_steps_per_s: round(modelSteps, 1), final_loss: round(loss, 4) };
}

/** The directory holding toyworld's package.json, found from this compiled file. */
function packageRoot(): string {
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    const pkg = join(dir, "package.json");
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, "utf8")) as { name?: string }).name === "toyworld") return dir;
    if (dirname(dir) === dir) throw new Error("bench: cannot find toyworld's package.json above " + import.meta.url);
  }
}

const PYTHON = "/usr/bin/python3";

/** Runs torch_bench.py; returns its rows, or a one-line reason why there are none. */
function runTorch(workloads: string[], seconds: number): { rows: Row[]; note?: string } {
  const script = process.env.TOYWORLD_TORCH_BENCH ?? join(packageRoot(), "..", "shared", "anchors", "torch_bench.py");
  if (!existsSync(script)) return { rows: [], note: `torch reference not run: ${script} not found` };
  const probe = spawnSync(PYTHON, ["-c", "import torch"], { encoding: "utf8" });
  if (probe.status !== 0) return { rows: [], note: `torch reference not run: torch is not importable by ${PYTHON}` };
  const run = spawnSync(PYTHON, [script, "--threads", "2", "--seconds", String(seconds), ...workloads],
    { encoding: "utf8", maxBuffer: 16 << 20 });
  const rows = (run.stdout ?? "").split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as Row);
  if (run.status === 0) return { rows };
  const why = (run.stderr ?? "").trim().split("\n").pop() || run.error?.message || `exit code ${run.status}`;
  return { rows, note: `torch reference failed: ${why}` };
}

function addRatios(ours: Row[], torch: Row[]): void {
  const find = (w: string, impl: string) => torch.find((r) => r.workload === w && r.impl === impl);
  const ratio = (a: number, b: Row | undefined) => (b && b.model_steps_per_s > 0 ? round(a / b.model_steps_per_s, 3) : null);
  for (const r of ours) {
    if (r.workload === "population") {
      r.ratio_vs_torch = ratio(r.model_steps_per_s, find(r.workload, "torch-loop"));
      r.ratio_vs_torch_batched = ratio(r.model_steps_per_s, find(r.workload, "torch-batched"));
    } else {
      r.ratio_vs_torch = ratio(r.model_steps_per_s, find(r.workload, "torch"));
    }
  }
}

function table(rows: Row[]): string {
  const fmt = (x: number | null | undefined, d: number) => (x === null || x === undefined ? "-" : x.toFixed(d));
  const ratio = (r: Row) => r.impl !== "toyworld" ? ""
    : r.workload === "population" ? `${fmt(r.ratio_vs_torch, 2)} / ${fmt(r.ratio_vs_torch_batched, 2)}` : fmt(r.ratio_vs_torch, 2);
  const head = ["workload", "impl", "threads", "steps/s", "model-steps/s", "final loss", "vs torch"];
  const body = rows.map((r) => [r.workload, r.impl, String(r.threads), fmt(r.steps_per_s, 2), fmt(r.model_steps_per_s, 1),
    r.gflops !== undefined ? `${r.gflops.toFixed(2)} GFLOP/s` : fmt(r.final_loss, 4), ratio(r)]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i < 2 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [line(head), line(widths.map((w) => "-".repeat(w))), ...body.map(line)].join("\n");
}

/** Runs `toyworld bench` with validated options, printing to stdout (notes to stderr under --json). */
export async function runBench(o: BenchOptions): Promise<void> {
  const say = (s: string) => (o.json ? process.stderr : process.stdout).write(s + "\n");
  const progress = (s: string) => { if (!o.json && process.stderr.isTTY) process.stderr.write(s + "\n"); };
  const pool = new WorkerPool({ threads: o.threads, backend: o.backend });
  const ours: Row[] = [];
  try {
    for (const w of o.workloads) {
      progress(`measuring ${w} on toyworld...`);
      ours.push(await measure(pool, w, o));
    }
  } finally {
    await pool.close();
  }
  const torchWorkloads = o.workloads.filter((w) => w !== "matmul");
  let torch: Row[] = [];
  if (o.torch && torchWorkloads.length > 0) {
    progress(`measuring ${torchWorkloads.join(", ")} on torch...`);
    const t = runTorch(torchWorkloads, o.seconds);
    torch = t.rows;
    if (t.note) say(t.note);
  }
  addRatios(ours, torch);
  const rows = ours.flatMap((r) => [r, ...torch.filter((t) => t.workload === r.workload)]);
  if (o.json) {
    for (const r of rows) process.stdout.write(JSON.stringify(r) + "\n");
    return;
  }
  say(table(rows));
  say(`\n${o.seconds} s per workload, ${o.backend} kernels. Single-model workloads run on one engine with the threads shown ` +
    `(large matmuls split between them; --threads, default one per core); the matmul kernel on 1 thread; the population is split ` +
    `into ${Math.min(o.threads, POPULATION)} sub-populations, one per worker thread; torch uses 2 threads. ` +
    "vs torch = our steps/s over torch's (population: model-steps/s over torch-loop / torch-batched).");
}
