// Validation problems in one shape: where (a config path such as
// `model.children[2].heads`), what was expected and what was found. Zod issues and
// the universe's own checks are both turned into this, so every user-facing error
// reads the same way.

import type { z } from "zod";

export interface Problem {
  /** e.g. "model.children[2].heads" */
  path: string;
  expected: string;
  found: string;
}

export function formatPath(path: ReadonlyArray<PropertyKey>): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out === "" ? String(key) : `.${String(key)}`;
  }
  return out === "" ? "(root)" : out;
}

export function formatProblem(p: Problem): string {
  return `${p.path}: expected ${p.expected}, got ${p.found}`;
}

/** A short rendering of a value found in the input. */
export function describeValue(value: unknown): string {
  if (value === undefined) return "nothing";
  if (typeof value === "string") return JSON.stringify(value);
  const text = JSON.stringify(value);
  if (text === undefined) return String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

export function valueAt(root: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (cur === null || typeof cur !== "object") return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key];
  }
  return cur;
}

function expectedOf(issue: z.core.$ZodIssue): string {
  switch (issue.code) {
    case "invalid_type":
      return issue.expected === "nan" ? "a number" : `${issue.expected}`;
    case "too_small":
      return issue.origin === "array" || issue.origin === "string"
        ? `length ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`
        : `a value ${issue.inclusive ? ">=" : ">"} ${issue.minimum}`;
    case "too_big":
      return issue.origin === "array" || issue.origin === "string"
        ? `length ${issue.inclusive ? "<=" : "<"} ${issue.maximum}`
        : `a value ${issue.inclusive ? "<=" : "<"} ${issue.maximum}`;
    case "invalid_value":
      return `one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    case "not_multiple_of":
      return `a multiple of ${issue.divisor}`;
    case "invalid_format":
      return `a ${issue.format}`;
    case "unrecognized_keys":
      return "only known keys";
    case "invalid_union": {
      // a discriminated union names its options (zod puts them on the issue)
      const options = (issue as { options?: unknown[] }).options;
      if (options) return `one of ${options.map((o) => JSON.stringify(o)).join(", ")}`;
      return "one of the allowed forms";
    }
    default:
      return issue.message;
  }
}

/** Converts zod issues into problems; `input` is the document as given, to show what was found. */
export function problemsFromZod(error: z.ZodError, input: unknown, prefix: PropertyKey[] = []): Problem[] {
  const out: Problem[] = [];
  for (const issue of error.issues) {
    const path = [...prefix, ...issue.path];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) {
        out.push({ path: formatPath([...path, key]), expected: "no such key (misspelled or not allowed here)", found: describeValue(valueAt(input, [...issue.path, key])) });
      }
      continue;
    }
    if (issue.code === "invalid_type" && issue.expected === "int") {
      out.push({ path: formatPath(path), expected: "an integer", found: describeValue(valueAt(input, issue.path)) });
      continue;
    }
    out.push({ path: formatPath(path), expected: expectedOf(issue), found: describeValue(valueAt(input, issue.path)) });
  }
  return out;
}
