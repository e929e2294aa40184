// model-double-descent: along a model-size axis (a width, dim, depth or out
// field of the model tree, or the parameter count of models scaled in several
// fields), the final test loss rises to a peak inside the sweep and falls again:
// the peak is at least 1.5x (MIN_PEAK_DECADES) above the lowest loss on each
// side and beyond the spread across repeats. Classically the peak sits at the
// interpolation threshold, where parameters ~ train examples; when both are
// known the evidence gives that ratio at the peak.
// Strength: the smaller of the two falls, in decades, over FULL_PEAK_DECADES.

import { fmt } from "../series.js";
import { descentFindings, FULL_PEAK_DECADES, MIN_PEAK_DECADES } from "./descent.js";
import type { SweepDetector } from "./detector.js";

const definition =
  `Along a model-size axis, the final test loss (mean of log over repeats) has an interior peak at least ` +
  `${fmt(10 ** MIN_PEAK_DECADES)}x above the lowest loss on each side and beyond the spread across repeats; ` +
  `score = smaller fall in decades / ${FULL_PEAK_DECADES}.`;

export const modelDoubleDescent: SweepDetector<"model-double-descent"> = {
  kind: "model-double-descent",
  version: 1,
  definition,
  detect(view) {
    return descentFindings(this, view, "model-size", (at) => ({
      paramCount: view.path === "paramCount" ? at.value : at.paramCount,
      trainSize: at.trainSize,
      rises: "peaks at",
      counts: (params, train) => `(${params} parameters for ${train} train examples`,
    }));
  },
};
