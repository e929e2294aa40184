// The baselines the world model is measured against, in one table typed over their
// names (a new baseline without an entry is a compile error). Each entry makes a
// fresh, unfitted Predictor.

import type { Predictor } from "../types.js";
import { FamilyMeanPredictor } from "./family-mean.js";
import { NearestNeighboursPredictor } from "./nearest-neighbours.js";
import { PowerLawPredictor } from "./power-law.js";

export const BASELINE_NAMES = ["nearest-neighbours", "family-mean", "power-law"] as const;
export type BaselineName = (typeof BASELINE_NAMES)[number];

export const baselines: { readonly [K in BaselineName]: { description: string; make(): Predictor } } = {
  "nearest-neighbours": {
    description: "mean curves and event rates of the 8 nearest training runs in the standardized config encoding",
    make: () => new NearestNeighboursPredictor(),
  },
  "family-mean": {
    description: "mean curve and event rates of the training runs of the same task family",
    make: () => new FamilyMeanPredictor(),
  },
  "power-law": {
    description: "fits a + b*t^-c to the observed log-loss prefix and extends it; family mean without a prefix",
    make: () => new PowerLawPredictor(),
  },
};

export { FamilyMeanPredictor, NearestNeighboursPredictor, PowerLawPredictor };
