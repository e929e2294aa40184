// Interventions: small, explicit changes to a config, written `path=value` on the
// command line (`train.lr=x2` multiplies, `train.weightDecay=0` sets). They make
// counterfactual configs ("what if lr were doubled?") and, with a step, forks of a
// running experiment. Applied to the document and validated again like any input.

/** A change to a config: `{ path: "train.lr", op: "mul", value: 2 }`. With a fork step it is applied mid-run. */
export interface Intervention {
  path: string;
  op: "set" | "mul";
  value: unknown;
}

/** Splits "model.children[2].width" into ["model", "children", 2, "width"]. */
export function parsePath(path: string): (string | number)[] {
  const parts: (string | number)[] = [];
  for (const segment of path.split(".")) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(segment);
    if (!m || (m[1] === "" && m[2] === "")) throw new Error(`bad path '${path}': expected names separated by dots, with [i] for list items`);
    if (m[1] !== "") parts.push(m[1]!);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) parts.push(Number(idx[1]));
  }
  return parts;
}

/** Parses `path=value`: `xK` or `*K` multiplies by K, anything else sets (JSON if it parses, else a string). */
export function parseIntervention(text: string): Intervention {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new Error(`bad --set '${text}': expected path=value, e.g. train.lr=x2 or train.weightDecay=0`);
  const path = text.slice(0, eq).trim();
  const raw = text.slice(eq + 1).trim();
  parsePath(path);
  const mul = /^[x*]\s*([-+0-9.eE]+)$/.exec(raw);
  if (mul) {
    const factor = Number(mul[1]);
    if (!Number.isFinite(factor)) throw new Error(`bad --set '${text}': the factor must be a number`);
    return { path, op: "mul", value: factor };
  }
  let value: unknown = raw;
  try {
    value = JSON.parse(raw);
  } catch {
    // a bare word is a string (e.g. train.optimizer=sgd)
  }
  return { path, op: "set", value };
}

/** A deep copy of the document with the interventions applied in order. */
export function applyInterventions(doc: unknown, interventions: readonly Intervention[]): unknown {
  const out = structuredClone(doc) as Record<string | number, unknown>;
  for (const iv of interventions) {
    const path = parsePath(iv.path);
    let parent: Record<string | number, unknown> = out;
    for (const key of path.slice(0, -1)) {
      const next = parent[key];
      if (next === null || typeof next !== "object") parent[key] = typeof key === "number" ? [] : {};
      parent = parent[key] as Record<string | number, unknown>;
    }
    const leaf = path[path.length - 1]!;
    if (iv.op === "mul") {
      const current = parent[leaf];
      if (typeof current !== "number") throw new Error(`cannot multiply ${iv.path}: it is ${current === undefined ? "not set" : JSON.stringify(current)}`);
      const product = current * (iv.value as number);
      parent[leaf] = Number.isInteger(current) ? Math.round(product) : product;
    } else {
      parent[leaf] = iv.value;
    }
  }
  return out;
}
