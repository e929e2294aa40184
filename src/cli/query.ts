// What the inspection commands (ls, show, plot, export) share: opening a store
// that must already exist, run filters from flags, runs by id, number formatting.

import { existsSync } from "node:fs";
import { defaultStoreUrl, isPostgresUrl, openStore, type RunFilter, type RunRecord, type RunStatus, type Store } from "../store/index.js";
import { UsageError } from "./errors.js";

export const STATUSES: readonly RunStatus[] = ["queued", "running", "completed", "diverged", "failed", "cancelled"];

/** Where a command prints (process.stdout; a collector in tests). */
export interface Out {
  write(text: string): unknown;
}

export interface StoreFlags {
  db?: string;
  json?: boolean;
}

export interface FilterFlags {
  status?: string;
  family?: string;
  sweep?: string;
}

/**
 * Opens the store for reading: a SQLite file must exist (opening creates one, and
 * a mistyped --db should say so rather than show an empty store).
 */
export async function withExistingStore<T>(flags: StoreFlags, fn: (store: Store, url: string) => Promise<T>): Promise<T> {
  const url = defaultStoreUrl(flags.db);
  const file = url.replace(/^sqlite:/i, "");
  if (!isPostgresUrl(url) && file !== ":memory:" && !existsSync(file)) throw new UsageError(`no store at ${url} (use --db or $TOYWORLD_DB)`);
  const store = await openStore(url);
  try {
    return await fn(store, url);
  } finally {
    await store.close();
  }
}

/** --status (comma-separated), --family, --sweep as a RunFilter. */
export function filterFrom(flags: FilterFlags): RunFilter {
  const filter: RunFilter = {};
  if (flags.status !== undefined) {
    const statuses = flags.status.split(",").map((s) => s.trim()).filter((s) => s !== "");
    const bad = statuses.filter((s) => !STATUSES.includes(s as RunStatus));
    if (bad.length > 0 || statuses.length === 0) throw new UsageError(`--status must be one or more of ${STATUSES.join(", ")} (comma-separated), got '${flags.status}'`);
    filter.status = statuses as RunStatus[];
  }
  if (flags.family !== undefined) filter.family = flags.family;
  if (flags.sweep !== undefined) filter.sweepId = flags.sweep;
  return filter;
}

/** A non-negative integer flag. */
export function countFlag(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || value.trim() === "") throw new UsageError(`${name} must be a non-negative integer, got '${value}'`);
  return n;
}

export async function getRuns(store: Store, url: string, ids: string[]): Promise<RunRecord[]> {
  const runs: RunRecord[] = [];
  for (const id of ids) {
    const run = await store.getRun(id);
    if (!run) throw new UsageError(`no run '${id}' in ${url}`);
    runs.push(run);
  }
  return runs;
}

/** A number in a fixed width-friendly form: 4 significant digits, "-" for none. */
export function fmt(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined || Number.isNaN(v)) return "-";
  if (!Number.isFinite(v)) return v > 0 ? "inf" : "-inf";
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e5) ? v.toExponential(digits - 1) : v.toPrecision(digits);
}

/** NaN and infinities as null (for JSON). */
export const finiteOrNull = (v: number | undefined): number | null => (v === undefined || !Number.isFinite(v) ? null : v);
