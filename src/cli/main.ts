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

  cli.command("demo")
    .description("the main job end to end: train a few hundred diverse toy runs, detect phenomena, train and evaluate the world model, ask and verify one what-if (again: adds a round)")
    .option("--db <url>", "store: a SQLite file or postgres:// URL (default: $TOYWORLD_DB or ./toyworld.db)")
    .option("--runs <n>", "runs per round", "240")
    .option("--threads <n>", "worker threads (default: one per core)")
    .action(async (opts: Record<string, string | undefined>) => (await import("./demo.js")).demoCommand(opts));

  cli.command("bench")
    .description("time the standard training workloads against the PyTorch reference")
    .argument("[workloads...]", `any of ${workloadNames.join(", ")}, matmul; or "store" (ingest and load rates), "suite" (experiments per hour) or "worldmodel" (predictions per second), each alone (default: the five training workloads)`)
    .option("--seconds <s>", "seconds to time each workload", "3")
    .option("--threads <n>", "threads: kernel threads of single-model workloads, worker threads of the population (default: one per core); of the model with `bench worldmodel` (default: the model's own, one per core up to two)")
    .option("--json", "print one JSON object per line")
    .option("--no-torch", "skip the PyTorch reference run")
    .addOption(new Option("--backend <kind>", "kernel backend").choices(["wasm", "reference"]).default("wasm"))
    .option("--db <url>", "with `bench store`: the store to measure (default: a temporary SQLite file); with `bench worldmodel`: the store whose latest world model to time")
    .action(async (workloads: string[], opts: Record<string, unknown>) => {
      if (workloads.includes("suite")) {
        if (workloads.length > 1) throw new UsageError("`bench suite` runs alone; time the training workloads separately");
        const threads = opts.threads === undefined ? undefined : Number(opts.threads);
        if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new UsageError(`--threads must be a positive integer, got '${String(opts.threads)}'`);
        await benchSuite({ json: Boolean(opts.json), threads });
        return;
      }
      if (workloads.includes("worldmodel")) {
        if (workloads.length > 1) throw new UsageError("`bench worldmodel` runs alone; time the training workloads separately");
        const threads = opts.threads === undefined ? undefined : Number(opts.threads);
        if (threads !== undefined && (!Number.isInteger(threads) || threads < 1)) throw new UsageError(`--threads must be a positive integer, got '${String(opts.threads)}'`);
        await (await import("./worldmodel-bench.js")).benchWorldModel({ url: opts.db as string | undefined, json: Boolean(opts.json), threads });
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

  queueOptions(cli.command("repro")
    .description("reproduce published setups (recipes) with labelled runs; detect and compare found vs expected phenomena")
    .argument("[names...]", "recipe names (see src/universe/recipes)")
    .option("--all", "every recipe")
    .option("--report", "print precision and recall per detector kind over all labelled runs")
    .option("--scale <s>", "full, tiny (smoke test: a few steps) or a step multiplier in (0, 1]", "full")
    .option("--seed-offset <k>", "shift every run's train.seed by k: a replicate for held-out checks", "0"))
    .action(async (names: string[], opts: Record<string, unknown>) => (await import("./repro.js")).reproCommand(names, opts));

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
    c.option("--status <s>", "only runs with this status (queued, running, completed, diverged, failed, cancelled; comma-separated)")
      .option("--family <f>", "only runs of this task family")
      .option("--sweep <id>", "only runs of this sweep");

  filterOptions(storeOption(cli.command("ls")
    .description("list runs, newest first: status, family, name, final losses and accuracies, steps, seconds, parent")
    .option("--limit <n>", "at most n runs (0: all)", "50")
    .option("--json", "print one JSON object per run and line")))
    .action(async (opts: Record<string, string | undefined>) => (await import("./inspect.js")).lsCommand(opts));

  storeOption(cli.command("cancel")
    .description("cancel runs: queued ones are never trained; a running one stops being stored (its worker drops the result); runs that ended are skipped")
    .argument("[runs...]", "run ids or unique prefixes")
    .option("--sweep <id>", "every run of this sweep")
    .option("--all-queued", "every queued run of the store")
    .option("--json", "print one JSON object: cancelled and skipped runs"))
    .action(async (runs: string[], opts: Record<string, never>) => (await import("./manage.js")).cancelCommand(runs, opts));

  storeOption(cli.command("requeue")
    .description("put cancelled and failed runs back in the queue (a worker trains them as new); other runs are skipped")
    .argument("[runs...]", "run ids or unique prefixes")
    .option("--sweep <id>", "every run of this sweep")
    .option("--status <s>", "only runs with this status (cancelled, failed; comma-separated); alone: every run with it")
    .option("--json", "print one JSON object: requeued and skipped runs"))
    .action(async (runs: string[], opts: Record<string, never>) => (await import("./manage.js")).requeueCommand(runs, opts));

  storeOption(cli.command("rm")
    .description("delete runs with their curves, checkpoints, findings (and annotations) and predictions, and sweeps left empty; without --yes, only show what would go")
    .argument("[runs...]", "run ids or unique prefixes")
    .option("--sweep <id>", "every run of this sweep")
    .option("--status <s>", "only runs with this status (comma-separated); alone: every run with it")
    .option("--yes", "delete (without it: a dry run)")
    .option("--json", "print one JSON object: the runs and what goes with them"))
    .action(async (runs: string[], opts: Record<string, never>) => (await import("./manage.js")).rmCommand(runs, opts));

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

  // phenomena: detection, the ranked list, people's verdicts (src/cli/phenomena.ts)
  storeOption(cli.command("detect")
    .description("run the phenomena detectors over stored runs and sweeps and store the findings (never twice)")
    .option("--all", "every finished run and every complete sweep of the store")
    .option("--run <run>", "a run (repeatable)", collect)
    .option("--sweep <id>", "a sweep: the sweep detectors over its finished runs")
    .option("--kind <kind>", "only this kind of phenomenon (repeatable or comma-separated)", collect)
    .option("--json", "print one JSON object"))
    .action(async (opts: Record<string, never>) => (await import("./phenomena.js")).detectCommand(opts));

  const phenomena = storeOption(cli.command("phenomena")
    .description("list stored findings, most interesting first (rare kinds, strong scores, surprising runs; rejected kinds last)")
    .option("--kind <kind>", "only this kind (repeatable or comma-separated)", collect)
    .option("--run <run>", "only findings that involve this run")
    .option("--sweep <id>", "only findings that involve runs of this sweep")
    .option("--limit <n>", "at most n findings (0: all)", "30")
    .option("--per-kind <n>", "at most n findings of each kind")
    .option("--all-versions", "also findings of older detector versions")
    .option("--json", "print one JSON object per finding and line"))
    .action(async (opts: Record<string, never>) => (await import("./phenomena.js")).phenomenaCommand(opts));
  phenomena.command("stats")
    .description("per detector and version: findings, annotated, confirmed, rejected, precision (and by day)")
    .action(async (_opts: unknown, cmd: Command) => (await import("./phenomena.js")).statsCommand(cmd.optsWithGlobals()));

  storeOption(cli.command("annotate")
    .description("record a person's verdict on a finding")
    .argument("<finding>", "finding id or a unique prefix of it")
    .option("--confirm", "the phenomenon is there")
    .option("--reject", "the detector is wrong here")
    .option("--note <text>", "why")
    .option("--tag <tag>", "a tag (repeatable)", collect)
    .option("--json", "print the annotation as one JSON object"))
    .action(async (finding: string, opts: Record<string, never>) => (await import("./phenomena.js")).annotateCommand(finding, opts));

  // the world model: subcommands of one group (dataset, eval; train, predict, whatif)
  const worldmodel = cli.command("worldmodel").description("the world model of training dynamics: its dataset, training, predictions and evaluation");
  storeOption(worldmodel.command("dataset")
    .description("build or resume the standing dataset: N runs of a seed, ~60% independent samples and ~40% one-at-a-time sweeps, plus forks, seed replicates and grokking probes")
    .option("--runs <n>", "experiments in the dataset", "2400")
    .option("--seed <s>", "seed of the dataset (the same seed gives the same experiments)", "0")
    .option("--threads <n>", "worker threads (default: one per core)")
    .option("--json", "print the summary as one JSON object"))
    .action(async (opts: Record<string, string | undefined>) => (await import("./worldmodel-dataset.js")).datasetCommand(opts));
  storeOption(worldmodel.command("eval")
    .description("fit the world model and the baselines on each split's train side and score them on its test side")
    .addOption(new Option("--split <kind>", "which split").choices(["random", "family", "scale", "all"]).default("all"))
    .option("--seed <s>", "seed of the splits, or a comma-separated list (e.g. 0,1,2): every metric is then the mean over the splits drawn with each, ± their spread", "0")
    .option("--train-fraction <f>", "fit on this fraction of each train side (whole groups of related runs, seeded by the split seed) against the same test side: the learning curve in runs", "1")
    .option("--no-model", "evaluate the baselines only")
    .option("--json", "print the report as one JSON object"))
    .action(async (opts: Record<string, never>) => (await import("./worldmodel-eval.js")).evalCommand(opts));
  storeOption(worldmodel.command("train")
    .description("train a new world-model version on the store's finished runs (warm-started from the latest version)")
    .option("--members <m>", "ensemble members")
    .option("--seed <s>", "seed of init, bootstrap and held-out split")
    .option("--steps <n>", "most optimizer steps (early stopping may end sooner)")
    .option("--limit <n>", "train on at most n runs, newest first")
    .option("--no-warm", "start from fresh weights")
    .option("--json", "print the version and its meta as one JSON object"))
    .action(async (opts: Record<string, never>) => (await import("./worldmodel.js")).trainCommand(opts));
  storeOption(cli.command("predict")
    .description("predict an experiment's curves, events and the evidence behind them with the latest world model")
    .argument("<source>", "experiment file (JSON or YAML) or preset name")
    .option("--set <path=value>", "change the config first (repeatable)", collect)
    .option("--model <id>", "a world-model version (default: the latest)")
    .option("--json", "print one JSON object"))
    .action(async (source: string, opts: Record<string, never>) => (await import("./worldmodel.js")).predictCommand(source, opts));
  storeOption(cli.command("whatif")
    .description("predict the effect of a change on an experiment (a run id, file or preset): both curves and the change in final test loss/accuracy")
    .argument("<source>", "a stored run id, an experiment file or a preset name")
    .option("--set <path=value>", "the change: train.lr=x2 multiplies, train.weightDecay=0 sets (repeatable)", collect)
    .option("--out <file>", "also plot both predictions to FILE.svg or FILE.png")
    .option("--verify", "run the changed config (and the base, if not yet run), store the prediction with its outcome and report the error")
    .option("--threads <n>", "worker threads for --verify (default: one per core)")
    .option("--model <id>", "a world-model version (default: the latest)")
    .option("--json", "print one JSON object"))
    .action(async (source: string, opts: Record<string, never>) => (await import("./worldmodel.js")).whatifCommand(source, opts));

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
