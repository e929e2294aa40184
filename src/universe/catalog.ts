// Machine-readable descriptions of the universe for people and tools: every task
// family with its parameters (type, default, range, doc), difficulty mapping,
// shapes and metrics, and every unit kind with its config fields. Both are read off
// the same schemas that validate configs, so docs cannot drift from behaviour.

import { z } from "zod";
import { tasks, taskNames } from "./tasks/index.js";
import { unitKinds, units } from "./units/index.js";
import { commonTaskFields, experimentSchema } from "./config/experiment.js";
import { logSchema, trainSchema } from "./config/train.js";
import type { TaskSpec } from "./tasks/family.js";

export interface FieldDoc {
  name: string;
  /** JSON-schema-like type: "integer", "number", "boolean", "string", an enum as "a | b", ... */
  type: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  description?: string;
}

export interface TaskDoc {
  family: string;
  summary: string;
  params: FieldDoc[];
  /** family parameters at difficulty 0, 0.5 and 1 */
  difficulty: { d: number; params: Record<string, unknown> }[];
  /** the spec with default parameters */
  spec: TaskSpec;
  metrics: string[];
}

export interface UnitDoc {
  unit: string;
  summary: string;
  fields: FieldDoc[];
}

type JsonSchema = {
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  description?: string;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  properties?: Record<string, JsonSchema>;
};

function typeOf(s: JsonSchema): string {
  if (s.enum) return s.enum.map((v) => String(v)).join(" | ");
  if (s.const !== undefined) return JSON.stringify(s.const);
  if (s.anyOf) return s.anyOf.map(typeOf).join(" | ");
  // a discriminated union of objects: name its variants by their `kind`/`unit` constant
  if (s.oneOf) return s.oneOf.map((o) => o.properties?.kind?.const ?? o.properties?.unit?.const ?? typeOf(o)).map(String).join(" | ");
  if (Array.isArray(s.type)) return s.type.join(" | ");
  return s.type ?? (s.properties ? "object" : "tree");
}

export function fieldDocs(schema: z.ZodType, skip: readonly string[] = []): FieldDoc[] {
  const json = z.toJSONSchema(schema, { io: "input", unrepresentable: "any", cycles: "ref" }) as JsonSchema;
  return Object.entries(json.properties ?? {})
    .filter(([name]) => !skip.includes(name))
    .map(([name, s]) => {
      const doc: FieldDoc = { name, type: typeOf(s) };
      if (s.default !== undefined) doc.default = s.default;
      const min = s.minimum ?? s.exclusiveMinimum, max = s.maximum ?? s.exclusiveMaximum;
      if (min !== undefined) doc.minimum = min;
      if (max !== undefined) doc.maximum = max;
      if (s.description) doc.description = s.description;
      return doc;
    });
}

export function describeTasks(): TaskDoc[] {
  const common = fieldDocs(z.object(commonTaskFields));
  return taskNames.map((name) => {
    const family = tasks[name];
    const defaults = family.params.parse({});
    const spec = family.spec(defaults as never);
    return {
      family: name,
      summary: family.summary,
      params: [...fieldDocs(family.params), ...common],
      difficulty: [0, 0.5, 1].map((d) => ({ d, params: family.difficulty(d) as Record<string, unknown> })),
      spec,
      metrics: spec.metrics,
    };
  });
}

export function describeUnits(): UnitDoc[] {
  return unitKinds.map((kind) => ({
    unit: kind,
    summary: units[kind].summary,
    fields: fieldDocs(units[kind].schema as z.ZodType, ["unit"]),
  }));
}

export interface ConfigDoc {
  sections: { name: string; summary: string; fields: FieldDoc[] }[];
}

/** The experiment's own sections (task families and units are described by describeTasks/describeUnits). */
export function describeConfig(): ConfigDoc {
  return {
    sections: [
      { name: "task", summary: "family (see `toyworld tasks`) plus its parameters, and these fields", fields: fieldDocs(z.object(commonTaskFields)) },
      { name: "model", summary: "a tree of units (see `toyworld units`), e.g. {unit: sequential, children: [...]}", fields: [] },
      { name: "train", summary: "the training recipe", fields: fieldDocs(trainSchema) },
      { name: "log", summary: "optional metrics and checkpoints", fields: fieldDocs(logSchema) },
    ],
  };
}

/** The whole experiment document as JSON Schema (draft 2020-12), for editors and other tools. */
export function experimentJsonSchema(): unknown {
  return z.toJSONSchema(experimentSchema, { io: "input", unrepresentable: "any", cycles: "ref" });
}
