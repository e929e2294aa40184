// Canonical form and content hash of an experiment. The canonical form is the
// validated config with every default filled in, keys sorted and numbers written by
// JSON's shortest round-trip form, so `1e-3`, `0.001` and `0.0010` are the same and
// key order does not matter. The id hashes everything that determines the training
// dynamics, seeds included; the name and the logging options are not part of it.

import { createHash } from "node:crypto";

/** JSON with object keys sorted at every level (arrays keep their order). */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isFinite(value)) throw new Error(`canonicalJson: non-finite number ${value}`);
    return JSON.stringify(value) ?? "null";
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
}

/** The part of a config that defines the experiment's identity. */
export interface IdentityParts {
  task: unknown;
  model: unknown;
  train: unknown;
}

/** A 16-hex-digit content id of the experiment. */
export function experimentId(config: IdentityParts): string {
  const identity = canonicalJson({ task: config.task, model: config.model, train: config.train });
  return createHash("sha256").update(identity).digest("hex").slice(0, 16);
}
