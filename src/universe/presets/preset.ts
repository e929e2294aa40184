// What a preset is: a named experiment from the literature, scaled to train on a
// 2-core CPU in seconds to minutes, with the citation of the setup it follows and
// notes on every change made to fit the machine. Each preset is one file
// registered in presets/index.ts.

import type { ExperimentInput } from "../config/experiment.js";

export interface Preset {
  /** kebab-case, e.g. "grokking-modadd"; the key in the registry */
  name: string;
  /** one sentence for `toyworld presets` */
  summary: string;
  /** the paper (authors, year, title, venue or arXiv id) */
  source: string;
  /** what differs from the paper and why (CPU budget, toyworld's units) */
  notes: string[];
  /** the experiment document */
  experiment: ExperimentInput;
  /** the axis the paper sweeps, with values to sweep it over (the preset sits at one of them) */
  sweep?: { path: string; values: number[]; note: string };
}
