// Every per-run detector on synthetic curves: positives (the phenomenon is
// there, the interval is where it happens), negatives (controls that look
// similar but are not the phenomenon), and score ordering (a stronger case
// scores higher). The case table is typed by DetectorKind and a registry loop
// checks every detector has positives, negatives and an ordering pair.

import assert from "node:assert/strict";
import { test } from "node:test";
import { DETECTOR_KINDS, type DetectorKind, type RunView } from "../../src/phenomena/detector.js";
import { DETECTORS, detectAll, detectorList } from "../../src/phenomena/detectors/index.js";
import type { Finding } from "../../src/phenomena/finding.js";
import { acc, fall, knots, logSteps, power, run, stepsUpTo, x } from "./synthetic.js";

interface Positive {
  name: string;
  run: RunView;
  /** where the strongest finding's interval must start and end (inclusive ranges) */
  interval?: { from: [number, number]; to: [number, number] };
}
interface Cases {
  positives: Positive[];
  negatives: { name: string; run: RunView }[];
  /** [stronger, weaker] */
  ordering: [RunView, RunView][];
}

/** a run with nothing to report: losses fall together, accuracies rise together */
const healthy = (): RunView => run({
  metrics: { train_loss: power(2, 0.5), test_loss: power(2.2, 0.45), train_acc: acc(100), test_acc: acc(120) },
});

/** a sparse curve (measured every `every` evaluations, NaN elsewhere) */
const sparse = (f: (s: number) => number, steps: number[], every = 3): number[] =>
  steps.map((s, i) => (i % every === 0 || i === steps.length - 1 ? f(s) : NaN));

const overfitTest = (p: number) => (s: number): number =>
  s <= 300 ? power(2.2, 0.5)(s) : power(2.2, 0.5)(300) * ((1 + s) / 301) ** p;

const ddKnots = (peak: number): [number, number][] => [[0, 0.3], [2, -0.5], [3, peak], [4, -0.8], [5, -0.8]];

const eosSteps = logSteps(10_000);
const eosSharpness = (edgeFrom: number, top = 20) => (s: number): number =>
  s < edgeFrom ? 2 + (top * 0.97 - 2) * (x(s) / x(edgeFrom)) : top * (1 + 0.05 * Math.sin(s));

const CASES: { [K in DetectorKind]: Cases } = {
  "grokking": {
    positives: [
      {
        name: "test accuracy 100x after train",
        run: run({ metrics: { train_acc: acc(100), test_acc: acc(10_000), train_loss: fall(100), test_loss: fall(10_000) } }),
        interval: { from: [100, 300], to: [10_000, 30_000] },
      },
      {
        name: "no accuracies: test loss falls 100x after train loss",
        run: run({ metrics: { train_loss: fall(100), test_loss: fall(10_000, 3, 0.05) } }),
        interval: { from: [60, 160], to: [6_000, 16_000] },
      },
    ],
    negatives: [
      { name: "test follows train immediately", run: run({ metrics: { train_acc: acc(100), test_acc: acc(130) } }) },
      { name: "test never reaches 0.95 (memorization)", run: run({ metrics: { train_acc: acc(100), test_acc: (s) => 0.1 + 0.3 * acc(1000)(s) } }) },
      { name: "healthy run", run: healthy() },
      { name: "healthy run without accuracies", run: run({ metrics: { train_loss: power(2, 0.5), test_loss: power(2.2, 0.45) } }) },
      { name: "no accuracies, test loss barely falls", run: run({ metrics: { train_loss: fall(100), test_loss: fall(10_000, 3, 1.5) } }) },
    ],
    ordering: [[
      run({ metrics: { train_acc: acc(100), test_acc: acc(30_000) } }),
      run({ metrics: { train_acc: acc(100), test_acc: acc(3_000) } }),
    ]],
  },

  "memorization": {
    positives: [{
      name: "train to 1, test stays at chance",
      run: run({ metrics: { train_acc: acc(100), test_acc: () => 0.1 } }),
      interval: { from: [100, 400], to: [100_000, 100_000] },
    }],
    negatives: [
      { name: "test reaches 0.97 late (grokking)", run: run({ metrics: { train_acc: acc(100), test_acc: acc(10_000) } }) },
      { name: "train never near 1", run: run({ metrics: { train_acc: (s) => 0.8 * acc(100)(s), test_acc: () => 0.1 } }) },
      { name: "no accuracies", run: run({ metrics: { train_loss: power() } }) },
      { name: "healthy run", run: healthy() },
    ],
    ordering: [[
      run({ metrics: { train_acc: acc(100), test_acc: () => 0.1 } }),
      run({ metrics: { train_acc: acc(100), test_acc: () => 0.5 } }),
    ]],
  },

  "divergence": {
    positives: [
      {
        name: "marked diverged",
        run: run({ status: "diverged", divergedAt: 500, steps: stepsUpTo(500), metrics: { train_loss: power() } }),
        interval: { from: [500, 500], to: [500, 500] },
      },
      {
        name: "loss becomes infinite",
        run: run({ metrics: { train_loss: (s) => (s >= 300 ? Infinity : power()(s)) } }),
        interval: { from: [300, 320], to: [300, 320] },
      },
      {
        name: "loss explodes and stays up",
        run: run({ metrics: { train_loss: (s) => (s >= 1000 ? 500 : power()(s)) } }),
        interval: { from: [1000, 1000], to: [1000, 1000] },
      },
    ],
    negatives: [
      { name: "healthy run", run: healthy() },
      { name: "spike that recovers", run: run({ metrics: { train_loss: (s) => power()(s) * (s >= 1000 && s <= 1500 ? 300 : 1) } }) },
    ],
    ordering: [[
      run({ status: "diverged", divergedAt: 500, steps: stepsUpTo(500), metrics: { train_loss: power() } }),
      run({ metrics: { train_loss: (s) => (s >= 1000 ? 20 : power()(s)) } }),
    ]],
  },

  "loss-spike": {
    positives: [{
      name: "10x spike between steps 1000 and 1500",
      run: run({ metrics: { train_loss: (s) => power()(s) * (s >= 1000 && s <= 1500 ? 10 : 1) } }),
      interval: { from: [1000, 1000], to: [1585, 1585] },
    }],
    negatives: [
      { name: "healthy noisy run", run: healthy() },
      { name: "rise that never recovers (divergence)", run: run({ metrics: { train_loss: (s) => power()(s) * (s >= 1000 ? 10 : 1) } }) },
    ],
    ordering: [[
      run({ metrics: { train_loss: (s) => power()(s) * (s >= 1000 && s <= 1500 ? 30 : 1) } }),
      run({ metrics: { train_loss: (s) => power()(s) * (s >= 1000 && s <= 1500 ? 4 : 1) } }),
    ]],
  },

  "plateau-drop": {
    positives: [{
      name: "flat until ~3000, then 100x drop",
      run: run({ metrics: { train_loss: fall(4000, 2, 0.02, 0.05) } }),
      interval: { from: [10, 10], to: [5_000, 10_000] },
    }],
    negatives: [
      { name: "healthy power law", run: healthy() },
      { name: "early transient (flat only in the first steps)", run: run({ metrics: { train_loss: fall(30, 2, 0.01, 0.15) } }) },
      { name: "plateau then gentle decline", run: run({ metrics: { train_loss: knots([[0, 0.3], [3, 0.3], [5, 0]]) } }) },
    ],
    ordering: [[
      run({ metrics: { train_loss: fall(4000, 2, 0.02, 0.05) } }),
      run({ metrics: { train_loss: fall(300, 2, 0.4, 0.05) } }),
    ]],
  },

  "overfitting": {
    positives: [{
      name: "test loss turns up at step 300 while train loss falls",
      run: run({ metrics: { train_loss: power(), test_loss: overfitTest(0.3) } }),
      interval: { from: [200, 450], to: [100_000, 100_000] },
    }],
    negatives: [
      { name: "healthy run", run: healthy() },
      { name: "test loss comes back down (double descent)", run: run({ metrics: { train_loss: power(), test_loss: knots(ddKnots(-0.1)) } }) },
      { name: "train loss flat while test rises", run: run({ metrics: { train_loss: () => 1, test_loss: overfitTest(0.3) } }) },
    ],
    ordering: [[
      run({ metrics: { train_loss: power(), test_loss: overfitTest(0.3) } }),
      run({ metrics: { train_loss: power(), test_loss: overfitTest(0.1) } }),
    ]],
  },

  "slow-learning": {
    positives: [{
      name: "flat loss",
      run: run({ noise: 0.01, metrics: { train_loss: () => 2 } }),
      interval: { from: [0, 0], to: [100_000, 100_000] },
    }],
    negatives: [
      { name: "healthy run", run: healthy() },
      { name: "diverged flat run (left to divergence)", run: run({ status: "diverged", divergedAt: 100, steps: stepsUpTo(100), metrics: { train_loss: () => 2 } }) },
      { name: "halving loss", run: run({ noise: 0.01, metrics: { train_loss: knots([[0, 0.3], [5, 0]]) } }) },
    ],
    ordering: [[
      run({ noise: 0.01, metrics: { train_loss: () => 2 } }),
      run({ noise: 0.01, metrics: { train_loss: knots([[0, Math.log10(2)], [5, Math.log10(1.7)]]) } }),
    ]],
  },

  "epoch-double-descent": {
    positives: [{
      name: "falls to step 100, peaks at 1000, falls again by 10000",
      run: run({ metrics: { train_loss: power(), test_loss: knots(ddKnots(-0.1)) } }),
      interval: { from: [50, 200], to: [5_000, 100_000] },
    }],
    negatives: [
      { name: "healthy monotone", run: healthy() },
      { name: "one-point blip", run: run({ metrics: { test_loss: (s) => power()(s) * (s === 1000 ? 3 : 1) } }) },
      { name: "falls then rises for good (overfitting)", run: run({ metrics: { test_loss: overfitTest(0.3) } }) },
    ],
    ordering: [[
      run({ metrics: { test_loss: knots(ddKnots(-0.1)) } }),
      run({ metrics: { test_loss: knots(ddKnots(-0.4)) } }),
    ]],
  },

  "edge-of-stability": {
    positives: [
      {
        name: "sharpness reaches 2/lr at ~100 and hovers",
        run: run({ steps: eosSteps, metrics: { lr: () => 0.1, sharpness: sparse(eosSharpness(100), eosSteps) } }),
        interval: { from: [50, 150], to: [10_000, 10_000] },
      },
      {
        name: "lr from the config",
        run: run({ steps: eosSteps, config: { train: { lr: 0.1 } }, metrics: { sharpness: sparse(eosSharpness(100), eosSteps) } }),
        interval: { from: [50, 150], to: [10_000, 10_000] },
      },
    ],
    negatives: [
      { name: "sharpness stays at half of 2/lr", run: run({ steps: eosSteps, metrics: { lr: () => 0.1, sharpness: sparse(eosSharpness(100, 10), eosSteps) } }) },
      { name: "sharpness at 2x the threshold", run: run({ steps: eosSteps, metrics: { lr: () => 0.1, sharpness: sparse(eosSharpness(100, 40), eosSteps) } }) },
      { name: "no sharpness curve", run: healthy() },
      { name: "touches the edge at one point", run: run({ steps: eosSteps, metrics: { lr: () => 0.1, sharpness: sparse((s) => (s === 1000 ? 20 : 5), eosSteps, 1) } }) },
    ],
    ordering: [[
      run({ steps: eosSteps, metrics: { lr: () => 0.1, sharpness: sparse(eosSharpness(100), eosSteps) } }),
      run({ steps: eosSteps, metrics: { lr: () => 0.1, sharpness: sparse(eosSharpness(1000), eosSteps) } }),
    ]],
  },
};

const strongest = (fs: Finding[]): Finding => fs.reduce((a, b) => (b.score > a.score ? b : a));

function checkWellFormed(f: Finding, kind: DetectorKind, runId: string): void {
  assert.equal(f.kind, kind);
  assert.equal(f.detector, kind);
  assert.equal(f.detectorVersion, DETECTORS[kind].version);
  assert.deepEqual(f.runIds, [runId]);
  assert.ok(f.score >= 0 && f.score <= 1, `score ${f.score}`);
  assert.ok(f.dedupeKey.startsWith(`${kind}@`), f.dedupeKey);
  assert.ok(/^[^\n]+\.$/.test(f.explanation), `one sentence: ${f.explanation}`);
  if (f.interval) assert.ok(f.interval.fromStep <= f.interval.toStep, JSON.stringify(f.interval));
  for (const [k, v] of Object.entries(f.evidence)) {
    for (const n of Array.isArray(v) ? v : [v]) assert.equal(typeof n, "number", `evidence ${k}`);
  }
}

test("every registered detector has positives, negatives and an ordering pair", () => {
  assert.deepEqual(Object.keys(DETECTORS).sort(), [...DETECTOR_KINDS].sort());
  for (const d of detectorList()) {
    const c = (CASES as Record<string, Cases | undefined>)[d.kind];
    assert.ok(c, `no test cases for detector ${d.kind}`);
    assert.ok(c.positives.length > 0, `${d.kind}: no positive case`);
    assert.ok(c.negatives.length > 0, `${d.kind}: no negative case`);
    assert.ok(c.ordering.length > 0, `${d.kind}: no ordering case`);
    assert.ok(d.definition.length > 20, `${d.kind}: definition`);
    assert.ok(Number.isInteger(d.version) && d.version >= 1);
  }
});

for (const kind of DETECTOR_KINDS) {
  const detector = DETECTORS[kind];
  const cases = CASES[kind];

  for (const p of cases.positives) {
    test(`${kind}: detects ${p.name}`, () => {
      const fs = detector.detect(p.run);
      assert.ok(fs.length > 0, "nothing detected");
      for (const f of fs) checkWellFormed(f, kind, p.run.id);
      const f = strongest(fs);
      if (p.interval) {
        assert.ok(f.interval, "no interval");
        const { fromStep, toStep } = f.interval;
        const [a, b] = p.interval.from, [c, d] = p.interval.to;
        assert.ok(fromStep >= a && fromStep <= b, `fromStep ${fromStep} not in [${a}, ${b}]`);
        assert.ok(toStep >= c && toStep <= d, `toStep ${toStep} not in [${c}, ${d}]`);
      }
      // pure and deterministic: the same run gives the same findings
      assert.deepEqual(detector.detect(p.run), fs);
    });
  }

  for (const n of cases.negatives) {
    test(`${kind}: ignores ${n.name}`, () => {
      const fs = detector.detect(n.run);
      assert.deepEqual(fs.map((f) => f.explanation), []);
    });
  }

  test(`${kind}: a stronger case scores higher`, () => {
    for (const [strong, weak] of cases.ordering) {
      const s = detector.detect(strong), w = detector.detect(weak);
      assert.ok(s.length > 0 && w.length > 0, `detected strong ${s.length}, weak ${w.length}`);
      assert.ok(strongest(s).score > strongest(w).score, `strong ${strongest(s).score} <= weak ${strongest(w).score}`);
    }
  });
}

test("a healthy run raises no finding at all", () => {
  assert.deepEqual(detectAll(healthy()).map((f) => f.kind), []);
});

test("two spikes are two findings with distinct dedupe keys", () => {
  const r = run({ metrics: { train_loss: (s) => power()(s) * ((s >= 100 && s <= 130) || (s >= 5000 && s <= 7000) ? 10 : 1) } });
  const fs = DETECTORS["loss-spike"].detect(r);
  assert.equal(fs.length, 2);
  assert.notEqual(fs[0]!.dedupeKey, fs[1]!.dedupeKey);
  assert.ok(fs[0]!.interval!.toStep < fs[1]!.interval!.fromStep);
});

test("dedupe keys are stable across runs of the detector and differ between runs", () => {
  const a = run({ id: "a", metrics: { train_acc: acc(100), test_acc: () => 0.1 } });
  const b = run({ id: "b", metrics: { train_acc: acc(100), test_acc: () => 0.1 } });
  const [fa] = DETECTORS.memorization.detect(a), [fa2] = DETECTORS.memorization.detect(a), [fb] = DETECTORS.memorization.detect(b);
  assert.equal(fa!.dedupeKey, fa2!.dedupeKey);
  assert.notEqual(fa!.dedupeKey, fb!.dedupeKey);
});

test("detectors accept plain arrays as well as typed arrays", () => {
  const steps = logSteps();
  const r: RunView = {
    id: "plain", status: "completed", divergedAt: null,
    curves: { train_acc: { steps, values: steps.map(acc(100)) }, test_acc: { steps, values: steps.map(acc(10_000)) } },
  };
  assert.equal(DETECTORS.grokking.detect(r).length, 1);
});

test("a stored run and its curves adapt to a RunView", async () => {
  const { runView } = await import("../../src/phenomena/index.js");
  const steps = logSteps();
  const view = runView(
    { id: "stored", status: "diverged", divergedAt: 40, config: { train: { lr: 1 } } },
    { train_loss: { steps: Int32Array.from(steps.slice(0, 10)), values: Float64Array.from(steps.slice(0, 10).map(power())) } },
  );
  const kinds = detectAll(view).map((f) => f.kind);
  assert.deepEqual(kinds, ["divergence"]);
});
