// `toyworld validate`, `toyworld tasks` and `toyworld units`: the config language
// and the universe's catalog on the command line. Thin: the work is done by
// universe/config/validate.ts and universe/catalog.ts.

import { readFileSync } from "node:fs";
import { describeConfig, describeTasks, describeUnits, experimentJsonSchema, type FieldDoc } from "../universe/catalog.js";
import { parseExperimentText } from "../universe/config/load.js";
import { formatProblem, type Problem } from "../universe/config/problems.js";
import { validateExperiment, type Validation } from "../universe/config/validate.js";
import { ReportedError, UsageError } from "./errors.js";

function readText(file: string): string {
  try {
    return file === "-" ? readFileSync(0, "utf8") : readFileSync(file, "utf8");
  } catch (e) {
    throw new UsageError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/** Reads and validates an experiment file; prints every problem and exits 2 when invalid. */
export function loadExperiment(file: string, json: boolean): Extract<Validation, { ok: true }> {
  const parsed = parseExperimentText(readText(file), file);
  const result: Validation = parsed.ok ? validateExperiment(parsed.value) : parsed;
  if (!result.ok) {
    reportProblems(file, result.problems, json);
    throw new ReportedError();
  }
  return result;
}

export function reportProblems(file: string, problems: Problem[], json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ ok: false, file, problems })}\n`);
    return;
  }
  process.stderr.write(`${file}: ${problems.length} problem${problems.length === 1 ? "" : "s"}\n`);
  for (const p of problems) process.stderr.write(`  ${formatProblem(p)}\n`);
}

export function validateCommand(file: string, opts: { json?: boolean }): void {
  const v = loadExperiment(file, Boolean(opts.json));
  if (opts.json) {
    process.stdout.write(`${JSON.stringify({ ok: true, file, id: v.id, paramCount: v.paramCount, spec: v.spec, config: v.config })}\n`);
    return;
  }
  const s = v.spec;
  const input = s.input.kind === "vector" ? `vector of dim ${s.input.dim}` : `${s.input.length} tokens (vocab ${s.input.vocab})`;
  const output = s.output.kind === "regression" ? `regression of dim ${s.output.dim}`
    : `${s.output.classes} classes${s.output.positions ? ` at ${s.output.positions} positions` : ""}`;
  process.stdout.write(
    `${file}: valid\n  id      ${v.id}\n  task    ${v.config.task.family}: ${input} -> ${output} (${s.loss})\n` +
    `  model   ${v.paramCount.toLocaleString("en-US")} parameters\n  train   ${v.config.train.optimizer}, lr ${v.config.train.lr}, ` +
    `${v.config.train.steps} steps, batch ${v.config.train.batchSize}\n`,
  );
}

function fieldLine(f: FieldDoc): string {
  const range = f.minimum !== undefined || f.maximum !== undefined ? ` [${f.minimum ?? "-inf"}, ${f.maximum ?? "inf"}]` : "";
  const def = f.default !== undefined ? ` = ${JSON.stringify(f.default)}` : "";
  return `    ${f.name}: ${f.type}${range}${def}${f.description ? `  ${f.description}` : ""}`;
}

export function tasksCommand(opts: { json?: boolean }): void {
  const docs = describeTasks();
  if (opts.json) {
    for (const d of docs) process.stdout.write(`${JSON.stringify(d)}\n`);
    return;
  }
  for (const d of docs) {
    process.stdout.write(`${d.family}  ${d.summary}\n  metrics: ${d.metrics.join(", ")}; loss: ${d.spec.loss}\n  params:\n`);
    for (const f of d.params) process.stdout.write(`${fieldLine(f)}\n`);
    process.stdout.write("  difficulty:\n");
    for (const { d: k, params } of d.difficulty) process.stdout.write(`    ${k.toFixed(1)}: ${JSON.stringify(params)}\n`);
    process.stdout.write("\n");
  }
}

export function unitsCommand(opts: { json?: boolean }): void {
  const docs = describeUnits();
  if (opts.json) {
    for (const d of docs) process.stdout.write(`${JSON.stringify(d)}\n`);
    return;
  }
  for (const d of docs) {
    process.stdout.write(`${d.unit}  ${d.summary}\n`);
    for (const f of d.fields) process.stdout.write(`${fieldLine(f)}\n`);
    process.stdout.write("\n");
  }
}

export function schemaCommand(opts: { json?: boolean }): void {
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(experimentJsonSchema(), null, 2)}\n`);
    return;
  }
  for (const section of describeConfig().sections) {
    process.stdout.write(`${section.name}: ${section.summary}\n`);
    for (const f of section.fields) process.stdout.write(`${fieldLine(f)}\n`);
    process.stdout.write("\n");
  }
}
