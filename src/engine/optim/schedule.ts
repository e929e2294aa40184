// Learning-rate schedules: a factor in [0, 1] (times the base learning rate of each
// member) as a function of the step. Every kind is one entry of `schedules`.

export type Schedule =
  | { kind: "constant" }
  /** linear ramp from 0 to 1 over warmupSteps, then constant */
  | { kind: "warmup"; warmupSteps: number }
  /** optional linear warmup, then cosine decay from 1 to minFactor at totalSteps */
  | { kind: "cosine"; totalSteps: number; warmupSteps?: number; minFactor?: number }
  /** multiply by gamma every stepSize steps */
  | { kind: "step"; stepSize: number; gamma: number };

type ScheduleOf<K extends Schedule["kind"]> = Extract<Schedule, { kind: K }>;

const warmupFactor = (step: number, warmup: number): number => (warmup > 0 && step < warmup ? (step + 1) / warmup : 1);

export const schedules: { [K in Schedule["kind"]]: (s: ScheduleOf<K>, step: number) => number } = {
  constant: () => 1,
  warmup: (s, step) => warmupFactor(step, s.warmupSteps),
  cosine: (s, step) => {
    const warm = s.warmupSteps ?? 0;
    if (step < warm) return warmupFactor(step, warm);
    const span = Math.max(1, s.totalSteps - warm);
    const t = Math.min(1, (step - warm) / span);
    const min = s.minFactor ?? 0;
    return min + (1 - min) * 0.5 * (1 + Math.cos(Math.PI * t));
  },
  step: (s, step) => Math.pow(s.gamma, Math.floor(step / s.stepSize)),
};

/** The learning-rate factor of `schedule` at `step` (0-based). */
export function scheduleFactor(schedule: Schedule, step: number): number {
  const f = schedules[schedule.kind] as (s: Schedule, step: number) => number;
  return f(schedule, step);
}
