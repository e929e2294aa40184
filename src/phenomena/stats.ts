// How well each detector (version) agrees with people: of its findings that
// someone annotated, the share confirmed. A finding's verdict is its latest
// annotation's. Precision over time groups annotated findings by the UTC day of
// that latest verdict, so a detector's record before and after a change of
// thresholds (a new version) can be read side by side.

import type { AnnotationRecord, FindingRecord, Store, Verdict } from "../store/store.js";

export interface DayPrecision {
  /** YYYY-MM-DD (UTC) of the verdicts */
  day: string;
  annotated: number;
  confirmed: number;
  precision: number;
}

export interface DetectorStats {
  detector: string;
  version: number;
  findings: number;
  /** findings with at least one verdict */
  annotated: number;
  confirmed: number;
  rejected: number;
  /** confirmed / annotated; null when nothing is annotated */
  precision: number | null;
  /** by day of the latest verdict, oldest first */
  byDay: DayPrecision[];
}

/** Per detector and version (sorted by detector, then version), from findings and their annotations. */
export function detectorStats(findings: readonly FindingRecord[], annotations: readonly AnnotationRecord[]): DetectorStats[] {
  const latest = new Map<string, AnnotationRecord>();
  for (const a of annotations) {
    const prev = latest.get(a.findingId);
    if (!prev || a.createdAt > prev.createdAt || (a.createdAt === prev.createdAt && a.id > prev.id)) latest.set(a.findingId, a);
  }
  const groups = new Map<string, { stats: DetectorStats; days: Map<string, { annotated: number; confirmed: number }> }>();
  for (const f of findings) {
    const key = `${f.detector}@${f.detectorVersion}`;
    let g = groups.get(key);
    if (!g) {
      g = {
        stats: { detector: f.detector, version: f.detectorVersion, findings: 0, annotated: 0, confirmed: 0, rejected: 0, precision: null, byDay: [] },
        days: new Map(),
      };
      groups.set(key, g);
    }
    g.stats.findings += 1;
    const verdict: Verdict | undefined = latest.get(f.id)?.verdict;
    if (verdict === undefined) continue;
    g.stats.annotated += 1;
    if (verdict === "confirm") g.stats.confirmed += 1;
    else g.stats.rejected += 1;
    const day = new Date(latest.get(f.id)!.createdAt).toISOString().slice(0, 10);
    const d = g.days.get(day) ?? { annotated: 0, confirmed: 0 };
    d.annotated += 1;
    if (verdict === "confirm") d.confirmed += 1;
    g.days.set(day, d);
  }
  const out = [...groups.values()].map(({ stats, days }) => ({
    ...stats,
    precision: stats.annotated === 0 ? null : stats.confirmed / stats.annotated,
    byDay: [...days.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([day, d]) => ({ day, annotated: d.annotated, confirmed: d.confirmed, precision: d.confirmed / d.annotated })),
  }));
  return out.sort((a, b) => (a.detector < b.detector ? -1 : a.detector > b.detector ? 1 : a.version - b.version));
}

/** detectorStats over every stored finding (all versions) and annotation. */
export async function storeStats(store: Store): Promise<DetectorStats[]> {
  return detectorStats(await store.listFindings(), await store.listAnnotations());
}
