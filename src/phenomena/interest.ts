// Which findings a person should look at first. A finding's interest is
//
//   W_RARITY * rarity + W_SCORE * score + W_SURPRISE * min(surprise / SURPRISE_CAP, 1)
//
// multiplied by (1 - W_DEMOTE * rejectRate), and pushed below everything else when
// a person rejected that very finding.
// - rarity: how uncommon the kind is among stored findings (newest detector
//   versions), log(total / count) / log(total), 0 for the commonest possible kind
//   and 1 for a kind seen once among many;
// - score: the detector's own strength, 0..1;
// - rejectRate: the share of people's verdicts that rejected findings of the same
//   kind or the same detector version (the larger), smoothed as
//   rejected / (annotated + 1) so one verdict does not decide;
// - surprise: how far the world model was off for the finding's runs, in units of
//   its predictive standard deviation: |predicted - actual| of the final log10 test
//   loss, where predicted is the last point of `predicted.curves.test_loss` (mean,
//   std) of the newest stored prediction for the run (Store.listPredictions) and
//   actual is the run's last finite stored test_loss. It is 0 while no world model
//   has stored predictions, and the largest over a finding's runs otherwise.

import type { AnnotationRecord, FindingFilter, FindingRecord, PredictionRecord, Store } from "../store/store.js";

export const W_RARITY = 0.4;
export const W_SCORE = 0.4;
export const W_SURPRISE = 0.3;
export const W_DEMOTE = 0.8;
/** surprise (in predictive std units) at which its term saturates */
export const SURPRISE_CAP = 3;

export interface Verdicts {
  confirm: number;
  reject: number;
}

export interface RankedFinding {
  finding: FindingRecord;
  interest: number;
  rarity: number;
  surprise: number;
  rejectRate: number;
  verdicts: Verdicts;
}

export interface InterestContext {
  /** kind -> number of stored findings of that kind (newest detector versions) */
  kindCounts: ReadonlyMap<string, number>;
  /** people's verdicts on any finding */
  annotations: readonly AnnotationRecord[];
  /** the findings the annotations refer to, at least their kind, detector and version */
  annotated: ReadonlyMap<string, Pick<FindingRecord, "kind" | "detector" | "detectorVersion">>;
  /** run id -> surprise of the world model's prediction for it */
  surprise: ReadonlyMap<string, number>;
}

export function rarity(kind: string, kindCounts: ReadonlyMap<string, number>): number {
  let total = 0;
  for (const n of kindCounts.values()) total += n;
  const count = Math.max(1, kindCounts.get(kind) ?? 1);
  if (total <= 1) return 1;
  return Math.min(1, Math.max(0, Math.log(total / count) / Math.log(total)));
}

/**
 * Ranks findings, most interesting first. Ties go to the higher score, then to
 * content (kind, then explanation, which states the steps and values), and only
 * last to the id: ids are random, so two stores holding the same runs would
 * otherwise list tied findings in different orders.
 */
export function rank(findings: readonly FindingRecord[], ctx: InterestContext): RankedFinding[] {
  const verdictsOf = new Map<string, Verdicts>();
  const rejectedBy = new Map<string, Verdicts>(); // "kind:K" and "detector:D@v" -> counts
  for (const a of ctx.annotations) {
    const v = verdictsOf.get(a.findingId) ?? { confirm: 0, reject: 0 };
    v[a.verdict] += 1;
    verdictsOf.set(a.findingId, v);
    const f = ctx.annotated.get(a.findingId);
    if (!f) continue;
    for (const key of [`kind:${f.kind}`, `detector:${f.detector}@${f.detectorVersion}`]) {
      const c = rejectedBy.get(key) ?? { confirm: 0, reject: 0 };
      c[a.verdict] += 1;
      rejectedBy.set(key, c);
    }
  }
  const rate = (key: string) => {
    const c = rejectedBy.get(key);
    return c ? c.reject / (c.confirm + c.reject + 1) : 0;
  };
  const ranked = findings.map((finding): RankedFinding => {
    const verdicts = verdictsOf.get(finding.id) ?? { confirm: 0, reject: 0 };
    const r = rarity(finding.kind, ctx.kindCounts);
    const surprise = Math.max(0, ...finding.runIds.map((id) => ctx.surprise.get(id) ?? 0));
    const rejectRate = Math.max(rate(`kind:${finding.kind}`), rate(`detector:${finding.detector}@${finding.detectorVersion}`));
    let interest = (W_RARITY * r + W_SCORE * finding.score + W_SURPRISE * Math.min(surprise / SURPRISE_CAP, 1)) * (1 - W_DEMOTE * rejectRate);
    // a finding people rejected (more often than confirmed) goes below every other
    if (verdicts.reject > verdicts.confirm) interest -= 2;
    return { finding, interest, rarity: r, surprise, rejectRate, verdicts };
  });
  return ranked.sort((a, b) => b.interest - a.interest || b.finding.score - a.finding.score || byContent(a.finding, b.finding));
}

const compareStrings = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Orders findings by what they say, and by id only where that is the same. */
function byContent(a: FindingRecord, b: FindingRecord): number {
  return compareStrings(a.kind, b.kind) || compareStrings(a.explanation, b.explanation) || compareStrings(a.id, b.id);
}

/** The last value of a stored prediction's array (a JSON array, or a typed array serialized as an index-keyed object). */
function lastOf(x: unknown): number | null {
  if (Array.isArray(x)) return typeof x.at(-1) === "number" ? (x.at(-1) as number) : null;
  if (x !== null && typeof x === "object") {
    const keys = Object.keys(x).filter((k) => /^\d+$/.test(k)).map(Number);
    if (keys.length === 0) return null;
    const v = (x as Record<string, unknown>)[String(Math.max(...keys))];
    return typeof v === "number" ? v : null;
  }
  return null;
}

/** |mean - actual| / std of the final log10 test loss, or null when the prediction has no such numbers. */
export function predictionSurprise(predicted: unknown, actualLog10FinalTestLoss: number): number | null {
  const testLoss = (predicted as { curves?: { test_loss?: { mean?: unknown; std?: unknown } } } | null)?.curves?.test_loss;
  const mean = lastOf(testLoss?.mean), std = lastOf(testLoss?.std);
  if (mean === null || std === null || !(std > 0) || !Number.isFinite(actualLog10FinalTestLoss)) return null;
  return Math.abs(mean - actualLog10FinalTestLoss) / std;
}

/** run id -> surprise, from the newest prediction of each run that has one. */
async function loadSurprise(store: Store, runIds: readonly string[]): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  const wanted = new Set(runIds);
  const newest = new Map<string, PredictionRecord>();
  for (const p of await store.listPredictions()) {
    if (p.runId === null || !wanted.has(p.runId)) continue;
    const prev = newest.get(p.runId);
    if (!prev || p.createdAt >= prev.createdAt) newest.set(p.runId, p);
  }
  if (newest.size === 0) return out;
  const curves = await store.getCurves([...newest.keys()], ["test_loss"]);
  for (const [runId, p] of newest) {
    const values = curves.get(runId)?.test_loss?.values ?? [];
    let last = NaN;
    for (let i = values.length - 1; i >= 0; i--) if (Number.isFinite(values[i]!) && values[i]! > 0) { last = values[i]!; break; }
    const s = predictionSurprise(p.predicted, Math.log10(last));
    if (s !== null) out.set(runId, s);
  }
  return out;
}

/**
 * The findings matching `filter`, ranked against everything the store holds.
 * `maxPerKind` keeps only the most interesting few of each kind, so one common
 * kind (e.g. runs that diverge at step 1) cannot fill a short list.
 */
export async function rankStored(store: Store, filter: FindingFilter = {}, opts: { maxPerKind?: number } = {}): Promise<RankedFinding[]> {
  const { limit, offset, ...where } = filter;
  const everything = await store.listFindings({ latestVersions: true });
  const kindCounts = new Map<string, number>();
  for (const f of everything) kindCounts.set(f.kind, (kindCounts.get(f.kind) ?? 0) + 1);
  const selected = Object.keys(where).length === 1 && where.latestVersions ? everything : await store.listFindings(where);
  const annotations = await store.listAnnotations();
  const annotated = new Map<string, FindingRecord>();
  for (const f of everything) annotated.set(f.id, f);
  for (const f of selected) annotated.set(f.id, f);
  // verdicts on findings of older detector versions still count against their version
  const missing = [...new Set(annotations.map((a) => a.findingId))].filter((id) => !annotated.has(id));
  for (const id of missing) {
    const f = await store.getFinding(id);
    if (f) annotated.set(id, f);
  }
  const surprise = await loadSurprise(store, selected.flatMap((f) => f.runIds));
  let ranked = rank(selected, { kindCounts, annotations, annotated, surprise });
  if (opts.maxPerKind !== undefined) {
    const shown = new Map<string, number>();
    ranked = ranked.filter((r) => {
      const n = shown.get(r.finding.kind) ?? 0;
      shown.set(r.finding.kind, n + 1);
      return n < opts.maxPerKind!;
    });
  }
  const from = offset ?? 0;
  return ranked.slice(from, limit === undefined ? undefined : from + limit);
}
