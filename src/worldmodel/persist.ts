// World-model versions in the store: save a trained model as a new version, load
// the latest (or a given) one, and train incrementally as runs arrive: the new
// version warm-starts from the latest version's weights when the encoding and the
// net's shape still match, and is stored with its meta. A version saved by code
// with another config encoding does not load (IncompatibleWorldModelError).

import type { Engine } from "../engine/index.js";
import { newId, type Store, type WorldModelRecord } from "../store/index.js";
import { loadExamples } from "./examples.js";
import { IncompatibleWorldModelError, WorldModel, type FitOptions } from "./model.js";

/** Stores the model as a new version; returns its id. */
export async function saveWorldModel(store: Store, model: WorldModel, evaluation: unknown = null): Promise<string> {
  const id = newId("wm");
  await store.putWorldModel({ id, params: model.serialize(), meta: model.meta, evaluation });
  return id;
}

/** The version `id` (or the latest), or null when the store holds none; `engine` e.g. with 2 threads for large batches. */
export async function loadWorldModel(store: Store, id?: string, engine?: Engine): Promise<{ id: string; model: WorldModel; record: Omit<WorldModelRecord, "params"> } | null> {
  const rec = await store.getWorldModel(id);
  if (!rec) return null;
  const { params, ...record } = rec;
  return { id: rec.id, model: WorldModel.deserialize(params, engine), record };
}

export interface TrainWorldModelOptions extends Omit<FitOptions, "previous"> {
  /** warm-start from the latest version (true, default), a given version id, or not at all (false) */
  previous?: boolean | string;
  /** train on at most this many runs (newest first) */
  limit?: number;
  onProgress?: (what: string, n: number) => void;
}

export interface TrainWorldModelResult {
  id: string;
  model: WorldModel;
  examples: number;
  /** the version the weights started from, or null */
  warmStartedFrom: string | null;
}

/** Loads every finished run, trains a version (warm-started when possible) and stores it. */
export async function trainWorldModel(store: Store, opts: TrainWorldModelOptions = {}): Promise<TrainWorldModelResult> {
  const { previous: prevOpt = true, limit, onProgress, ...fit } = opts;
  const examples = await loadExamples(store, { limit, onProgress: (n) => onProgress?.("examples", n) });
  if (examples.length === 0) throw new Error("worldmodel: the store holds no finished runs to learn from");
  // a version trained on another config encoding cannot be a warm start: the new one starts afresh
  const prev = prevOpt === false ? null : await loadWorldModel(store, typeof prevOpt === "string" ? prevOpt : undefined).catch((e: unknown) => {
    if (e instanceof IncompatibleWorldModelError) return null;
    throw e;
  });
  const model = new WorldModel();
  await model.fit(examples, { ...fit, previous: prev?.model ?? null });
  const warm = model.meta.report?.warmStarted ? prev?.id ?? null : null;
  prev?.model.dispose();
  const id = await saveWorldModel(store, model);
  return { id, model, examples: examples.length, warmStartedFrom: warm };
}
