// Sweep views and sweep detectors on synthetic sweeps: axes are found (one
// differing numeric path; seeds pooled as repeats; two-path differences are not
// axes; models scaled in several fields form a paramCount axis), and every
// sweep detector has positives (found at the right coordinate) and negatives
// (controls), checked by a loop over the registry like the per-run tests.

import assert from "node:assert/strict";
import { test } from "node:test";
import type { RunView } from "../../src/phenomena/detector.js";
import type { Finding } from "../../src/phenomena/finding.js";
import { runView } from "../../src/phenomena/index.js";
import { SWEEP_DETECTOR_KINDS, type SweepDetectorKind } from "../../src/phenomena/sweep/detector.js";
import { detectSweeps, SWEEP_DETECTORS, sweepDetectorList } from "../../src/phenomena/sweep/index.js";
import { finalTestLoss, isDiverged, pointOutcome } from "../../src/phenomena/sweep/outcome.js";
import { sweepViews } from "../../src/phenomena/sweep/view.js";
import { axisRuns, baseConfig, mlpParams, sweepRun, TRAIN_SIZE, withValues } from "./sweep-synthetic.js";

const WIDTH = "model.children[0].width";
const LR = "train.lr";
const WIDTHS = [2, 4, 8, 16, 32, 64, 128, 256, 512];

/** model-wise double descent: underfit, peak at width 32 (1002 params for 1000 examples), then falling */
const widthSweep = (losses: number[]): RunView[] =>
  axisRuns(WIDTH, WIDTHS.map((w, i) => ({ value: w, testLoss: [losses[i]!], paramCount: mlpParams(w) })));
const ddWidth = (): RunView[] => widthSweep([2, 1.6, 1.3, 1.2, 30, 12, 6, 4, 3]);
const monotoneWidth = (): RunView[] => widthSweep([2, 1.6, 1.3, 1.1, 0.9, 0.7, 0.6, 0.55, 0.5]);

/** sample-wise double descent: peak where the train set matches the 1002 parameters */
const SIZES = [125, 250, 500, 1000, 2000, 4000, 8000];
const trainSizeSweep = (losses: number[]): RunView[] =>
  axisRuns("task.trainSize", SIZES.map((n, i) => ({ value: n, testLoss: [losses[i]!], paramCount: mlpParams(32) })));

/** an lr sweep: best at 3e-3, every run diverges from 3e-2 on */
const LRS = [1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 1e-1];
const lrSweep = (opts: { divergeFrom?: number; losses?: number[] } = {}): RunView[] => {
  const losses = opts.losses ?? [0.5, 0.3, 0.15, 0.1, 0.2, 0.4, 0.6];
  return axisRuns(LR, LRS.map((lr, i) => ({ value: lr, testLoss: [losses[i]!], diverged: lr >= (opts.divergeFrom ?? Infinity) })));
};
const monotoneLr = (): RunView[] => lrSweep({ losses: [0.8, 0.6, 0.45, 0.35, 0.3, 0.28, 0.27] });

/** three repeats per point: the middle point is higher on average, but within the spread of repeats */
const noisyRepeats = (spread: number): RunView[] => axisRuns("train.weightDecay", [0, 0.1, 0.2, 0.3, 0.4].map((wd) => {
  const centre = wd === 0.2 ? 0.7 : 0.5;
  return { value: wd, testLoss: [centre / spread, centre, centre * spread] };
}));

/** weight decay flips test accuracy from chance to 0.95 between 0.2 and 0.3 (loss moves under a decade) */
const accuracyFlip = (): RunView[] => axisRuns("train.weightDecay", [0, 0.1, 0.2, 0.3, 0.4].map((wd) => (
  { value: wd, testLoss: [wd < 0.25 ? 0.9 : 0.3], testAcc: wd < 0.25 ? 0.12 : 0.95 }
)));

/** lr sweep where a 10x grid step has a 2-decade loss jump, but the axis is otherwise 2x-spaced */
const wideStep = (): RunView[] => axisRuns(LR, [1e-4, 2e-4, 4e-4, 8e-4, 8e-3, 1.6e-2].map((lr) => ({ value: lr, testLoss: [lr < 1e-3 ? 0.5 : 0.004] })));

interface Positive {
  name: string;
  runs: RunView[];
  coordinate?: { path: string; value: number };
}
interface Cases {
  positives: Positive[];
  negatives: { name: string; runs: RunView[] }[];
}

const CASES: { [K in SweepDetectorKind]: Cases } = {
  "model-double-descent": {
    positives: [{ name: "width sweep peaking at width 32", runs: ddWidth(), coordinate: { path: WIDTH, value: 32 } }],
    negatives: [
      { name: "monotone width sweep", runs: monotoneWidth() },
      { name: "a peak along trainSize (sample-wise)", runs: trainSizeSweep([1, 1.4, 2, 8, 2, 0.8, 0.5]) },
      { name: "a bump along lr (not a size axis)", runs: lrSweep({ losses: [0.5, 0.4, 3, 0.3, 0.2, 0.2, 0.2] }) },
      { name: "a peak only 1.2x above its neighbours", runs: widthSweep([2, 1.6, 1.3, 1.2, 1.44, 1.2, 1, 0.9, 0.8]) },
    ],
  },
  "sample-double-descent": {
    positives: [{ name: "trainSize sweep peaking at 1000", runs: trainSizeSweep([1, 1.4, 2, 8, 2, 0.8, 0.5]), coordinate: { path: "task.trainSize", value: 1000 } }],
    negatives: [
      { name: "loss falling with data", runs: trainSizeSweep([3, 2, 1.5, 1, 0.8, 0.6, 0.5]) },
      { name: "width double descent", runs: ddWidth() },
    ],
  },
  "non-monotonic": {
    positives: [
      { name: "lr U shape with its optimum at 3e-3", runs: lrSweep(), coordinate: { path: LR, value: 3e-3 } },
      { name: "a repeat-averaged bump beyond the spread", runs: noisyRepeats(1.05), coordinate: { path: "train.weightDecay", value: 0.2 } },
      { name: "an inverted U along lr", runs: lrSweep({ losses: [0.2, 0.3, 0.5, 0.9, 0.5, 0.3, 0.2] }), coordinate: { path: LR, value: 3e-3 } },
    ],
    negatives: [
      { name: "monotone lr sweep", runs: monotoneLr() },
      { name: "monotone width sweep", runs: monotoneWidth() },
      { name: "width double descent (left to model-double-descent)", runs: ddWidth() },
      { name: "a bump within the spread across repeats", runs: noisyRepeats(3) },
    ],
  },
  "cliff": {
    positives: [
      { name: "lr sweep diverging from 3e-2", runs: lrSweep({ divergeFrom: 3e-2 }), coordinate: { path: LR, value: Math.sqrt(1e-2 * 3e-2) } },
      { name: "test accuracy jumps between weight decay 0.2 and 0.3", runs: accuracyFlip(), coordinate: { path: "train.weightDecay", value: 0.25 } },
      { name: "test loss falls 10x at the peak of double descent", runs: ddWidth(), coordinate: { path: WIDTH, value: 16 * Math.SQRT2 } },
    ],
    negatives: [
      { name: "smooth lr sweep", runs: lrSweep() },
      { name: "monotone width sweep", runs: monotoneWidth() },
      { name: "a jump across a 10x step of an otherwise 2x grid", runs: wideStep() },
    ],
  },
  "best-value": {
    positives: [
      { name: "lr optimum at 3e-3", runs: lrSweep(), coordinate: { path: LR, value: 3e-3 } },
      { name: "lr optimum at 3e-3 with divergence above", runs: lrSweep({ divergeFrom: 3e-2 }), coordinate: { path: LR, value: 3e-3 } },
      { name: "widest model best", runs: monotoneWidth(), coordinate: { path: WIDTH, value: 512 } },
    ],
    negatives: [
      { name: "two points", runs: axisRuns(LR, [{ value: 1e-3 }, { value: 1e-2 }]) },
      { name: "only two points that did not diverge", runs: lrSweep({ divergeFrom: 1e-3 }).filter((r) => (withLr(r) ?? 0) <= 3e-3) },
    ],
  },
};

function withLr(r: RunView): number | undefined {
  return ((r.config as { train?: { lr?: number } }).train ?? {}).lr;
}

const near = (a: number, b: number): boolean => Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(b));
const ofKind = (fs: Finding[], kind: string): Finding[] => fs.filter((f) => f.kind === kind);

function checkWellFormed(f: Finding, kind: SweepDetectorKind, runs: RunView[]): void {
  assert.equal(f.detector, kind);
  assert.equal(f.detectorVersion, SWEEP_DETECTORS[kind].version);
  assert.ok(f.coordinate, "sweep findings have a coordinate");
  assert.deepEqual(f.runIds, runs.map((r) => r.id).sort(), "all the axis's runs");
  assert.ok(f.score >= 0 && f.score <= 1, `score ${f.score}`);
  assert.ok(/^[^\n]+\.$/.test(f.explanation), `one sentence: ${f.explanation}`);
  for (const [k, v] of Object.entries(f.evidence)) {
    for (const n of Array.isArray(v) ? v : [v]) assert.ok(typeof n === "number" && Number.isFinite(n), `evidence ${k} = ${n}`);
  }
}

test("every registered sweep detector has positive and negative cases", () => {
  assert.deepEqual(Object.keys(SWEEP_DETECTORS).sort(), [...SWEEP_DETECTOR_KINDS].sort());
  for (const d of sweepDetectorList()) {
    const c = (CASES as Record<string, Cases | undefined>)[d.kind];
    assert.ok(c, `no test cases for sweep detector ${d.kind}`);
    assert.ok(c.positives.length > 0, `${d.kind}: no positive case`);
    assert.ok(c.negatives.length > 0, `${d.kind}: no negative case`);
    assert.ok(d.definition.length > 20, `${d.kind}: definition`);
    assert.ok(Number.isInteger(d.version) && d.version >= 1);
  }
});

for (const kind of SWEEP_DETECTOR_KINDS) {
  for (const p of CASES[kind].positives) {
    test(`${kind}: detects ${p.name}`, () => {
      const fs = ofKind(detectSweeps(p.runs), kind);
      assert.ok(fs.length > 0, "nothing detected");
      for (const f of fs) checkWellFormed(f, kind, p.runs);
      if (p.coordinate) {
        const at = fs.map((f) => f.coordinate!);
        assert.ok(at.some((c) => c.path === p.coordinate!.path && near(c.value, p.coordinate!.value)),
          `expected ${JSON.stringify(p.coordinate)}, got ${JSON.stringify(at)}`);
      }
      assert.deepEqual(ofKind(detectSweeps(p.runs), kind), fs, "deterministic");
    });
  }
  for (const n of CASES[kind].negatives) {
    test(`${kind}: ignores ${n.name}`, () => {
      assert.deepEqual(ofKind(detectSweeps(n.runs), kind).map((f) => f.explanation), []);
    });
  }
}

test("model double descent reports params per train example at the peak", () => {
  const [f] = ofKind(detectSweeps(ddWidth()), "model-double-descent");
  assert.ok(f);
  assert.equal(f.evidence["paramCountAtPeak"], mlpParams(32));
  assert.equal(f.evidence["trainSize"], TRAIN_SIZE);
  assert.ok(Math.abs((f.evidence["paramsPerTrainExample"] as number) - 1.002) < 1e-6);
  assert.ok(Math.abs((f.evidence["prominenceDecades"] as number) - 1) < 0.05, `prominence ${f.evidence["prominenceDecades"]}`);
});

test("a one-at-a-time width sweep is one model-size axis with its runs in order", () => {
  const views = sweepViews(ddWidth());
  assert.equal(views.length, 1);
  assert.equal(views[0]!.path, WIDTH);
  assert.equal(views[0]!.axis, "model-size");
  assert.deepEqual(views[0]!.points.map((p) => p.value), WIDTHS);
});

test("runs differing only in seeds are repeats at one point, not an axis", () => {
  const seedsOnly = [0, 1, 2, 3, 4].map((s) => sweepRun({ config: withValues(baseConfig(), { "train.seed": s, "task.seed": 10 + s, name: `r${s}` }) }));
  assert.deepEqual(sweepViews(seedsOnly), []);
  assert.deepEqual(detectSweeps(seedsOnly), []);
  const pooled = sweepViews(axisRuns(LR, LRS.slice(0, 4).map((lr) => ({ value: lr, testLoss: [0.5, 0.55, 0.6] }))));
  assert.equal(pooled.length, 1);
  assert.deepEqual(pooled[0]!.points.map((p) => p.runs.length), [3, 3, 3, 3]);
  const o = pointOutcome(pooled[0]!.points[0]!);
  const meanLog = (Math.log10(0.5) + Math.log10(0.55) + Math.log10(0.6)) / 3;
  assert.ok(Math.abs(o.logLoss - meanLog) < 0.02, `pooled log loss ${o.logLoss} vs ${meanLog}`);
  assert.ok(o.logLossSpread > 0.05 && o.logLossSpread < 0.12, `spread ${o.logLossSpread}`);
});

test("configs differing at two paths do not form an axis", () => {
  const runs = [1e-3, 2e-3, 4e-3, 8e-3].map((lr, i) => sweepRun({ config: withValues(baseConfig(), { [LR]: lr, "train.weightDecay": 0.1 * i }) }));
  assert.deepEqual(sweepViews(runs), []);
  assert.deepEqual(detectSweeps(runs), []);
});

test("a two-dimensional grid gives one axis per line of the grid", () => {
  const runs = [0, 0.1, 0.2].flatMap((wd) => axisRuns(LR, LRS.slice(0, 3).map((lr) => ({ value: lr, extra: { "train.weightDecay": wd } }))));
  const views = sweepViews(runs);
  assert.deepEqual(views.map((v) => v.path).sort(), [LR, LR, LR, "train.weightDecay", "train.weightDecay", "train.weightDecay"]);
  for (const v of views) assert.equal(v.points.length, 3);
});

test("models scaled in two width fields at once form a paramCount axis", () => {
  const base = withValues(baseConfig(), {
    "model.children": [{ unit: "linear", width: 8 }, { unit: "activation", fn: "relu" }, { unit: "linear", width: 8 }, { unit: "readout" }],
  });
  const losses = [1.5, 1.2, 20, 5, 2];
  const runs = [4, 8, 16, 32, 64].map((w, i) => sweepRun({
    config: withValues(base, { "model.children[0].width": w, "model.children[2].width": w }),
    testLoss: losses[i]!, paramCount: 21 * w + (w + 1) * w + (w + 1) * 10,
  }));
  const views = sweepViews(runs);
  assert.deepEqual(views.map((v) => v.path), ["paramCount"]);
  const [f] = ofKind(detectSweeps(runs), "model-double-descent");
  assert.ok(f);
  assert.deepEqual(f.coordinate, { path: "paramCount", value: 21 * 16 + 17 * 16 + 170 });
});

test("divergence and final loss of a run", () => {
  const [ok] = axisRuns(LR, [{ value: 1e-3, testLoss: [0.25] }]);
  const [bad] = axisRuns(LR, [{ value: 1, diverged: true }]);
  assert.ok(!isDiverged(ok!));
  assert.ok(isDiverged(bad!));
  assert.ok(Math.abs(finalTestLoss(ok!) / 0.25 - 1) < 0.04);
  const nan = { ...ok!, curves: { ...ok!.curves, test_loss: { steps: [0, 10], values: [1, NaN] } } };
  assert.ok(isDiverged(nan), "a last test loss that is not finite is divergence");
});

test("a sharper optimum scores higher on best-value", () => {
  const score = (losses: number[]): number => ofKind(detectSweeps(lrSweep({ losses })), "best-value")[0]!.score;
  assert.ok(score([2, 1, 0.4, 0.1, 0.4, 1, 2]) > score([0.2, 0.15, 0.12, 0.1, 0.12, 0.15, 0.2]));
});

test("runView carries the parameter count", () => {
  const v = runView({ id: "r", status: "completed", divergedAt: null, config: baseConfig(), paramCount: 1002 }, {});
  assert.equal(v.paramCount, 1002);
  assert.equal(runView({ id: "r", status: "completed", divergedAt: null, config: null }, {}).paramCount, null);
});

test("findings of one sweep have distinct dedupe keys", () => {
  // the lr sweep at another weight decay, so that none of its runs lies on the width axis
  const lrAtWd = axisRuns(LR, LRS.map((lr) => ({ value: lr, testLoss: [lr === 3e-3 ? 0.1 : 0.3], diverged: lr >= 3e-2 })), withValues(baseConfig(), { "train.weightDecay": 0.01 }));
  const fs = detectSweeps([...lrAtWd, ...ddWidth()]);
  assert.deepEqual(sweepViews([...lrAtWd, ...ddWidth()]).map((v) => v.points.length), [9, 7]);
  assert.equal(new Set(fs.map((f) => f.dedupeKey)).size, fs.length);
  assert.deepEqual(fs.map((f) => f.kind).sort(), ["best-value", "best-value", "cliff", "cliff", "model-double-descent", "non-monotonic"]);
});
