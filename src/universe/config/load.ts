// Reading experiment documents: JSON or YAML text (YAML is a superset of JSON, so one
// parser serves both), with syntax errors reported as a Problem with line and column.

import { parse, YAMLParseError } from "yaml";
import type { Problem } from "./problems.js";

export type Parsed = { ok: true; value: unknown } | { ok: false; problems: Problem[] };

export function parseExperimentText(text: string, source = "input"): Parsed {
  try {
    return { ok: true, value: parse(text, { prettyErrors: true, uniqueKeys: true }) };
  } catch (e) {
    if (e instanceof YAMLParseError) {
      const at = e.linePos?.[0];
      const where = at ? `${source}:${at.line}:${at.col}` : source;
      return { ok: false, problems: [{ path: where, expected: "valid JSON or YAML", found: e.message.split("\n")[0] ?? "a syntax error" }] };
    }
    throw e;
  }
}
