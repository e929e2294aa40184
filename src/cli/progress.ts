// A progress bar for long work (runs done of all, runs per hour, ETA) on stderr,
// built on cli-progress. Quiet when stderr is not a terminal or --json is on, so
// pipes and machine-readable output stay clean.

import { SingleBar, Presets } from "cli-progress";

export interface Progress {
  /** one more unit (a run) finished */
  tick(label?: string): void;
  stop(): void;
}

export function runProgress(total: number, opts: { quiet?: boolean; what?: string } = {}): Progress {
  if (opts.quiet || !process.stderr.isTTY || total <= 0) return { tick() {}, stop() {} };
  const started = Date.now();
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: `${opts.what ?? "runs"} {bar} {value}/{total} | {rate} runs/h | ETA {eta_formatted} | {label}`,
      hideCursor: true,
      clearOnComplete: false,
      etaBuffer: 20,
    },
    Presets.shades_classic,
  );
  bar.start(total, 0, { rate: "-", label: "" });
  let done = 0;
  return {
    tick(label = "") {
      done++;
      const hours = (Date.now() - started) / 3_600_000;
      bar.update(done, { rate: hours > 0 ? Math.round(done / hours).toLocaleString("en-US") : "-", label });
    },
    stop() {
      bar.stop();
    },
  };
}
