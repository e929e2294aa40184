#!/usr/bin/env node
// The `toyworld` command line. Subcommands live in their own modules; this file
// only wires them into commander and turns errors into exit codes: a usage mistake
// is one line on stderr and exit code 2, any other failure one line and exit code 1
// (set TOYWORLD_DEBUG=1 for the stack trace).

import { Command, CommanderError, Option } from "commander";
import { parseBenchOptions, runBench } from "./bench.js";
import { ReportedError, UsageError } from "./errors.js";
import { tasksCommand, unitsCommand, validateCommand } from "./universe.js";
import { workloadNames } from "../engine/bench/workloads.js";

function program(): Command {
  const cli = new Command("toyworld")
    .description("A world model of training dynamics: toy tasks and models, trained fast on the CPU.")
    .exitOverride(); // inherited by the subcommands below: errors come back to main() as exceptions

  cli.command("bench")
    .description("time the standard training workloads against the PyTorch reference")
    .argument("[workloads...]", `any of ${workloadNames.join(", ")}, matmul (default: the five training workloads)`)
    .option("--seconds <s>", "seconds to time each workload", "3")
    .option("--threads <n>", "worker threads (default: one per core)")
    .option("--json", "print one JSON object per line")
    .option("--no-torch", "skip the PyTorch reference run")
    .addOption(new Option("--backend <kind>", "kernel backend").choices(["wasm", "reference"]).default("wasm"))
    .action(async (workloads: string[], opts: Record<string, unknown>) => {
      await runBench(parseBenchOptions(workloads, opts));
    });

  cli.command("validate")
    .description("check an experiment file (JSON or YAML; - for stdin) and print its id, or every problem")
    .argument("<file>", "experiment file")
    .option("--json", "print one JSON object")
    .action((file: string, opts: { json?: boolean }) => validateCommand(file, opts));

  cli.command("tasks")
    .description("list the task families with their parameters, difficulty knob and metrics")
    .option("--json", "one JSON object per family and line")
    .action((opts: { json?: boolean }) => tasksCommand(opts));

  cli.command("units")
    .description("list the unit kinds that model trees are built from, with their fields")
    .option("--json", "one JSON object per unit and line")
    .action((opts: { json?: boolean }) => unitsCommand(opts));

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
