// The table of grokking probe kinds of the standing dataset. A kind is one file
// that draws a probe's experiment from a generator stream; the table gives it a
// name tag (probe names are `wm-<seed>-<tag><index>`) and a stream of its own, so
// adding a kind leaves every other kind's probes, names and ids as they were.
// The universe's priors almost never land in a grokking regime, so without these
// the dataset held one or two grokking runs and grokking AUC measured nothing.

import type { Rng } from "../../engine/rng.js";
import type { ExperimentInput } from "../../universe/config/experiment.js";
import { modularArithmeticProbe } from "./modular-arithmetic.js";
import { sparseParityProbe } from "./sparse-parity.js";

export type ProbeKind = "modular-arithmetic" | "sparse-parity";

export interface ProbeKindSpec {
  /** letter of the probe names: `wm-<seed>-<tag><index>` (r, f and s name the replicates, forks and sweeps) */
  tag: string;
  /** generator stream offset, distinct from the plan's blocks, forks, replicates and the other kinds */
  streamSeed: number;
  /** one probe's experiment, drawn from its own stream */
  experiment(rng: Rng): ExperimentInput;
}

export const PROBE_KINDS: { readonly [K in ProbeKind]: ProbeKindSpec } = {
  "modular-arithmetic": { tag: "g", streamSeed: 0x67726f6b /* "grok" */, experiment: modularArithmeticProbe },
  "sparse-parity": { tag: "p", streamSeed: 0x70617269 /* "pari" */, experiment: sparseParityProbe },
};

/** The kinds in plan order (the table's). */
export const probeKinds = Object.keys(PROBE_KINDS) as ProbeKind[];
