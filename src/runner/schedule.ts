// When a run is evaluated: about `points` steps spaced evenly in log(step), plus the
// first (0, before any update) and the last step. Log spacing puts resolution where
// curves change fastest, early, and still reaches the end of long runs.

export function evalSteps(totalSteps: number, points: number): number[] {
  const steps = new Set<number>([0, totalSteps]);
  if (totalSteps > 0 && points > 2) {
    const top = Math.log(totalSteps);
    for (let i = 0; i < points - 1; i++) {
      steps.add(Math.max(1, Math.round(Math.exp((top * i) / (points - 2)))));
    }
  }
  return [...steps].filter((s) => s <= totalSteps).sort((a, b) => a - b);
}
