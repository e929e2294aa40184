// sample-double-descent: along the train set's size (task.trainSize or
// task.trainFraction), the final test loss rises to a peak inside the sweep and
// falls again, so that over some range more data hurts: the peak is at least
// 1.5x (MIN_PEAK_DECADES) above the lowest loss on each side and beyond the
// spread across repeats. Classically the peak sits where the train set is about
// as large as the model's parameter count; when both are known the evidence
// gives parameters per train example at the peak.
// Strength: the smaller of the two falls, in decades, over FULL_PEAK_DECADES.

import { fmt } from "../series.js";
import { descentFindings, FULL_PEAK_DECADES, MIN_PEAK_DECADES } from "./descent.js";
import type { SweepDetector } from "./detector.js";

const definition =
  `Along task.trainSize or task.trainFraction, the final test loss (mean of log over repeats) has an interior peak at least ` +
  `${fmt(10 ** MIN_PEAK_DECADES)}x above the lowest loss on each side and beyond the spread across repeats; ` +
  `score = smaller fall in decades / ${FULL_PEAK_DECADES}.`;

export const sampleDoubleDescent: SweepDetector<"sample-double-descent"> = {
  kind: "sample-double-descent",
  version: 1,
  definition,
  detect(view) {
    return descentFindings(this, view, "data-size", (at) => ({
      paramCount: at.paramCount,
      trainSize: view.path === "task.trainSize" ? at.value : NaN,
      rises: "rises with more data to",
      counts: (params, train) => `(${train} train examples for ${params} parameters`,
    }));
  },
};
