#!/usr/bin/env node
// The `toyworld` command line. Subcommands live in their own modules; this file
// only wires them into commander and turns errors into exit codes: a usage mistake
// is one line on stderr and exit code 2, any other failure one line and exit code 1
// (set TOYWORLD_DEBUG=1 for the stack trace).

import { Command, CommanderError, Option } from "commander";
import { parseBenchOptions, runBench } from "./bench.js";
import { ReportedError, UsageError } from "./errors.js";
import { schemaCommand, tasksCommand, unitsCommand, validateCommand } from "./universe.js";
import { forkCommand, runCommand, sweepCommand, workerCommand } from "./runs.js";
import { benchStore } from "./store-bench.js";
import { presetsCommand, sampleCommand } from "./generate.js";
import { benchSuite } from "./suite-bench.js";
import { workloadNames } from "../engine/bench/workloads.js";

function program(): Command {
  const cli = new Command("toyworld")
    .description("A world model of training dynamics: toy tasks and models, trained fast on the CPU.")
    .exitOverride(); // inherited by the subcommands below: errors come back to main() as exceptions

  cli.command("bench")
    .description("time the standard training workloads against the PyTorch reference")
    .argument("[workloads...]", `any of ${workloadNames.join(", ")}, matmul; or "store" (ingest and load rates) or "suite" (experiments per hour), each alone (default: the five training workloads)`)
    .option("--seconds <s>", "seconds to time each workload", "3")
    .option("--threads <n>", "threads: kernel threads of single-model workloads, worker threads of the population (default: one per core)")
    .option("--json", "print one JSON object per line")
    .option("--no-torch", "skip the PyTorch reference run")
    .addOption(new Option("--backend <kind>", "kernel backend").choices(["wasm", "reference"]).default("wasm"))
    .option("--db <url>", "with `bench store`: the store to measure (default: a temporary SQLite file)")
    .action(async (workloads: string[], opts: Record<string, unknown>) => {
      if (workloads.includes("suite")) {
        if (workloads.length > 1) throw new UsageError("`bench suite` runs alone; time the training workloads separately");
        const threads = opts.threads === undefined ? undefined : Number(opts.threads);
        if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new UsageError(`--threads must be a positive integer, got '${String(opts.threads)}'`);
        await benchSuite({ json: Boolean(opts.json), threads });
        return;
      }
      if (workloads.includes("store")) {
        if (workloads.length > 1) throw new UsageError("`bench store` runs alone; time the training workloads separately");
        await benchStore({ url: opts.db as string | undefined, json: Boolean(opts.json) });
        return;
      }
      await runBench(parseBenchOptions(workloads, opts));
    });

  const queueOptions = (c: Command) =>
    c.option("--db <url>", "store: a SQLite file or postgres:// URL (default: $TOYWORLD_DB or ./toyworld.db)")
      .option("--threads <n>", "worker threads (default: one per core)")
      .option("--json", "print one JSON object per run and line");
  const collect = (value: string, previous: string[] = []) => [...previous, value];

  queueOptions(cli.command("run")
    .description("train one experiment (a file or a preset name) and record its curves in the store")
    .argument("<source>", "experiment file (JSON or YAML) or preset name")
    .option("--set <path=value>", "change the config: train.lr=0.01 sets, train.lr=x2 multiplies (repeatable)", collect)
    .option("--repeats <n>", "train n copies with consecutive train.seed", "1"))
    .action(async (source: string, opts: Record<string, unknown>) => runCommand(source, opts));

  queueOptions(cli.command("sweep")
    .description("expand a sweep file (grid and random axes over config paths, repeats over seeds) and train every point")
    .argument("<file>", "sweep file: {base, grid, random, samples, repeats}"))
    .action(async (file: string, opts: Record<string, unknown>) => sweepCommand(file, opts));

  queueOptions(cli.command("fork")
    .description("start a new run from a run's state at a step, with an intervention")
    .argument("<run>", "the parent run id")
    .requiredOption("--at <step>", "the step to fork at")
    .option("--set <path=value>", "the intervention, e.g. train.lr=x2 or train.weightDecay=0 (repeatable)", collect))
    .action(async (run: string, opts: Record<string, unknown>) => forkCommand(run, opts));

  cli.command("worker")
    .description("work the store's queue (e.g. runs queued by other machines) until it is empty, or forever with --watch")
    .option("--db <url>", "store: a SQLite file or postgres:// URL (default: $TOYWORLD_DB or ./toyworld.db)")
    .option("--threads <n>", "worker threads (default: one per core)")
    .option("--watch", "keep polling for new runs")
    .action(async (opts: Record<string, unknown>) => workerCommand(opts));

  cli.command("validate")
    .description("check an experiment file (JSON or YAML; - for stdin) and print its id, or every problem")
    .argument("<file>", "experiment file")
    .option("--json", "print one JSON object")
    .action((file: string, opts: { json?: boolean }) => validateCommand(file, opts));

  cli.command("presets")
    .description("list the presets: published setups scaled to this machine, with their sources and changes")
    .option("--json", "one JSON object per preset and line")
    .action((opts: { json?: boolean }) => presetsCommand({ json: Boolean(opts.json) }));

  cli.command("sample")
    .description("print N random valid experiments from the universe's priors, one JSON document per line")
    .option("--n <n>", "how many", "10")
    .option("--seed <s>", "seed of the sampler (the same seed gives the same experiments)", "0")
    .option("--json", "JSON lines (the only output format; accepted for uniformity)")
    .action((opts: { n: string; seed: string; json?: boolean }) =>
      sampleCommand({ n: Number(opts.n), seed: Number(opts.seed), json: Boolean(opts.json) }));

  cli.command("schema")
    .description("describe the experiment document: every section and field with type, range, default and meaning")
    .option("--json", "print the JSON Schema of the whole document")
    .action((opts: { json?: boolean }) => schemaCommand(opts));

  cli.command("tasks")
    .description("list the task families with their parameters, difficulty knob and metrics")
    .option("--json", "one JSON object per family and line")
    .action((opts: { json?: boolean }) => tasksCommand(opts));

  cli.command("units")
    .description("list the unit kinds that model trees are built from, with their fields")
    .option("--json", "one JSON object per unit and line")
    .action((opts: { json?: boolean }) => unitsCommand(opts));

  // inspection and exchange: their modules (vega, parquet) load only when used
  const storeOption = (c: Command) =>
    c.option("--db <url>", "store: a SQLite file or postgres:// URL (default: $TOYWORLD_DB or ./toyworld.db)");
  const filterOptions = (c: Command) =>
    c.option("--status <s>", "only runs with this status (queued, running, completed, diverged, failed; comma-separated)")
      .option("--family <f>", "only runs of this task family")
      .option("--sweep <id>", "only runs of this sweep");

  filterOptions(storeOption(cli.command("ls")
    .description("list runs, newest first: status, family, name, final losses and accuracies, steps, seconds, parent")
    .option("--limit <n>", "at most n runs (0: all)", "50")
    .option("--json", "print one JSON object per run and line")))
    .action(async (opts: Record<string, string | undefined>) => (await import("./inspect.js")).lsCommand(opts));

  storeOption(cli.command("show")
    .description("show a run: config, status, lineage, summary numbers and its curves drawn in the terminal")
    .argument("<run>", "run id")
    .option("--json", "print one JSON object: run, config, summary and curves"))
    .action(async (run: string, opts: Record<string, string | undefined>) => (await import("./inspect.js")).showCommand(run, opts));

  storeOption(cli.command("plot")
    .description("plot the curves of runs to a PNG or SVG file: losses (log scale) and accuracies against steps (log scale)")
    .argument("<runs...>", "run ids")
    .option("--out <file>", "the figure: FILE.png or FILE.svg")
    .option("--metrics <list>", "comma-separated metrics", "train_loss,test_loss,train_acc,test_acc")
    .option("--json", "print what was written as one JSON object"))
    .action(async (runs: string[], opts: Record<string, string | undefined>) => (await import("./plot.js")).plotCommand(runs, opts));

  filterOptions(storeOption(cli.command("export")
    .description("write runs' curves as a long table, one row per run, metric and step (Parquet, CSV or JSON lines)")
    .option("--out <path>", "the file to write")
    .option("--format <format>", "parquet, csv or jsonl (default: from the extension of --out)")
    .option("--json", "print a summary as one JSON object")))
    .action(async (opts: Record<string, string | undefined>) => (await import("./exchange.js")).exportCommand(opts));

  storeOption(cli.command("import")
    .description("store the runs of a long table (as written by export); runs already stored are skipped")
    .argument("<path>", "a .parquet, .csv or .jsonl file")
    .option("--format <format>", "parquet, csv or jsonl (default: from the extension)")
    .option("--json", "print a summary as one JSON object"))
    .action(async (path: string, opts: Record<string, string | undefined>) => (await import("./exchange.js")).importCommand(path, opts));

  return cli;
}

async function main(argv: string[]): Promise<number> {
  try {
    await program().parseAsync(argv);
    return 0;
  } catch (e) {
    // commander has already printed its message (or the help)
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    if (e instanceof ReportedError) return 2;
    const message = e instanceof Error ? e.message : String(e);
    process.stderr.write(`toyworld: ${message.split("\n")[0]}\n`);
    if (process.env.TOYWORLD_DEBUG && e instanceof Error) process.stderr.write(`${e.stack}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}

// A closed pipe (e.g. `toyworld bench | head`) ends the program quietly.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(process.exitCode ?? 0);
    throw e;
  });
}

process.exitCode = await main(process.argv);
