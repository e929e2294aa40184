// The parameter count of a config's model (per member), a key feature of the
// encoding. Fitting a unit tree to its task costs ~0.1 ms, far more than the rest
// of an encoding, and the explorer's candidates share few objects but many
// (task, model) pairs, so counts are cached by object and by a structural hash of
// (task, model). The hash replaced a JSON.stringify key: a 1.2 kB string per query
// cost ~8 us and most of the garbage of a large prediction batch.

import { fitModel } from "../universe/model.js";
import { taskSpecOf } from "../universe/config/validate.js";
import type { TaskConfig } from "../universe/config/experiment.js";

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => v !== null && typeof v === "object" && !Array.isArray(v);

const PRIME = 0x01000193;
const SEED_A = 0x811c9dc5;
const SEED_B = 0x9e3779b9;
// markers between tokens, so that {"a":"bc"} and {"ab":"c"} or [1,[2]] and [[1],2] hash apart
const enum Mark { Key = 1, Str = 2, Num = 3, True = 4, False = 5, Null = 6, Open = 7, Close = 8, ObjOpen = 9, ObjClose = 10 }

const numberBits = new Float64Array(1);
const numberWords = new Uint32Array(numberBits.buffer);

/** Two independent FNV-1a streams over the tokens of a JSON-like value (order-sensitive, as JSON.stringify is). */
class StructureHash {
  a = SEED_A;
  b = SEED_B;

  private word(x: number): void {
    this.a = Math.imul(this.a ^ x, PRIME) >>> 0;
    this.b = Math.imul(this.b ^ (x + 0x5bd1e995), PRIME) >>> 0;
  }

  private text(s: string): void {
    this.word(s.length);
    for (let i = 0; i < s.length; i++) this.word(s.charCodeAt(i));
  }

  add(value: unknown): void {
    if (typeof value === "number") {
      numberBits[0] = value;
      this.word(Mark.Num);
      this.word(numberWords[0]!);
      this.word(numberWords[1]!);
    } else if (typeof value === "string") {
      this.word(Mark.Str);
      this.text(value);
    } else if (typeof value === "boolean") {
      this.word(value ? Mark.True : Mark.False);
    } else if (Array.isArray(value)) {
      this.word(Mark.Open);
      for (const v of value) this.add(v);
      this.word(Mark.Close);
    } else if (isObj(value)) {
      this.word(Mark.ObjOpen);
      for (const k in value) {
        if (value[k] === undefined) continue; // as JSON.stringify drops it
        this.word(Mark.Key);
        this.text(k);
        this.add(value[k]);
      }
      this.word(Mark.ObjClose);
    } else {
      this.word(Mark.Null);
    }
  }

  /** 53 bits of the two streams: an exact Map key (collisions ~2^-53 per pair). */
  key(): number {
    return (this.a >>> 0) * 0x200000 + (this.b >>> 11);
  }
}

/** The structural hash of (task, model) of a config: equal for configs whose task and model are equal as JSON. */
export function modelKey(config: Obj): number {
  const h = new StructureHash();
  h.add(config.task);
  h.add(config.model);
  return h.key();
}

const byObject = new WeakMap<object, number | null>();
const byKey = new Map<number, number | null>();
const CACHE_LIMIT = 50_000;

/** Parameters of the model per member, from the tree and the task (null if it does not fit). */
export function paramCountOf(config: unknown): number | null {
  if (!isObj(config)) return null;
  const known = byObject.get(config);
  if (known !== undefined) return known;
  const key = modelKey(config);
  let count = byKey.get(key);
  if (count === undefined) {
    try {
      count = fitModel(config.model as never, taskSpecOf(config.task as TaskConfig)).paramCount;
    } catch {
      count = null;
    }
    if (byKey.size >= CACHE_LIMIT) byKey.clear();
    byKey.set(key, count);
  }
  byObject.set(config, count);
  return count;
}
