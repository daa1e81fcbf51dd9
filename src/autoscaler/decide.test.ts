import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { AppRunnerError } from "../errors/app-runner-error.js";
import {
  decide,
  INITIAL_AUTOSCALER_STATE,
  type AutoscalerState,
  type ConcurrencySample,
  type ScalingConfig,
} from "./decide.js";

/** An arbitrary whole second (2026-01-01T00:00:00Z). */
const T0 = Date.UTC(2026, 0, 1) / 1000;
const DEFAULT: ScalingConfig = { minSize: 1, maxSize: 25, maxConcurrency: 100 };

interface Step {
  t: number;
  current: number;
  desired: number;
  reason: string;
  state: AutoscalerState;
}

/**
 * Calls decide() once a second for `seconds` seconds, as the loop does. `load(t)` is the
 * concurrency of second t; like the data plane, only seconds with traffic produce a sample.
 * With `follow` (default) the service gets the desired count at once.
 */
function simulate(opts: {
  config?: ScalingConfig;
  current: number;
  seconds: number;
  load: (t: number) => number;
  follow?: boolean;
  history?: ConcurrencySample[];
}): Step[] {
  const config = opts.config ?? DEFAULT;
  const samples: ConcurrencySample[] = [...(opts.history ?? [])];
  let state = INITIAL_AUTOSCALER_STATE;
  let current = opts.current;
  const steps: Step[] = [];
  for (let t = 0; t < opts.seconds; t++) {
    const c = opts.load(t);
    if (c > 0) samples.push({ second: T0 + t, concurrency: c });
    const d = decide({ now: (T0 + t) * 1000 + 400, samples, current, config, state });
    steps.push({ t, current, desired: d.desired, reason: d.reason, state: d.state });
    state = d.state;
    if (opts.follow !== false) current = d.desired;
  }
  return steps;
}

const desiredAt = (steps: Step[], t: number): number => {
  const step = steps[t];
  assert.ok(step, `no step at t=${t}`);
  return step.desired;
};
/** [t, desired] at each change of desired, starting with t=0. */
const changes = (steps: Step[]): Array<[number, number]> =>
  steps.filter((s, i) => i === 0 || s.desired !== steps[i - 1]?.desired).map((s) => [s.t, s.desired]);

describe("decide: steady load", () => {
  const cases: Array<{ name: string; config?: ScalingConfig; current: number; load: number; want: number }> = [
    { name: "half of one instance stays at 1", current: 1, load: 50, want: 1 },
    { name: "exactly the 70% target of one instance stays at 1", current: 1, load: 70, want: 1 },
    { name: "just above the target asks for 2", current: 2, load: 71, want: 2 },
    { name: "150 at 70 per instance needs 3", current: 3, load: 150, want: 3 },
    { name: "140 is exactly 2 instances (no float noise)", current: 2, load: 140, want: 2 },
    { name: "1000 needs 15", current: 15, load: 1000, want: 15 },
    { name: "target 1.0: 200 needs 2", config: { ...DEFAULT, targetUtilization: 1 }, current: 2, load: 200, want: 2 },
    { name: "target 1.0: 201 needs 3", config: { ...DEFAULT, targetUtilization: 1 }, current: 3, load: 201, want: 3 },
    { name: "target 0.5: 200 needs 4", config: { ...DEFAULT, targetUtilization: 0.5 }, current: 4, load: 200, want: 4 },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const steps = simulate({ config: c.config, current: c.current, seconds: 300, load: () => c.load });
      assert.deepEqual(changes(steps), [[0, c.want]]);
      if (c.config?.targetUtilization !== 1) {
        assert.ok(steps.every((s) => s.state.panicUntil === undefined), "no panic under steady load");
      }
    });
  }

  it("from too few instances, a steady load is reached at once", () => {
    const steps = simulate({ current: 1, seconds: 120, load: () => 300 });
    assert.deepEqual(changes(steps), [[0, 5]]);
  });
});

describe("decide: step up (panic)", () => {
  it("a step from 0.5x to 4x MaxConcurrency reaches the new count on the 2nd sample", () => {
    const steps = simulate({ current: 1, seconds: 200, load: (t) => (t < 120 ? 50 : 400) });
    assert.equal(desiredAt(steps, 119), 1);
    assert.equal(desiredAt(steps, 120), 1, "one second of 400 is not yet a step");
    assert.equal(desiredAt(steps, 121), 6, "ceil(400 / 70) on the second sample");
    assert.match(steps[121]?.reason ?? "", /panic/);
    assert.deepEqual(changes(steps), [
      [0, 1],
      [121, 6],
    ]);
  });

  it("a step from no traffic at all to 4x reaches 6 on the 2nd sample", () => {
    const steps = simulate({ current: 1, seconds: 130, load: (t) => (t < 100 ? 0 : 400) });
    assert.equal(desiredAt(steps, 100), 1);
    assert.equal(desiredAt(steps, 101), 6);
  });

  it("a step to 4x from 3 busy instances (below the 2x threshold) still scales on the 2nd sample: instances are full", () => {
    const steps = simulate({ current: 3, seconds: 150, load: (t) => (t < 100 ? 210 : 400) });
    assert.equal(desiredAt(steps, 99), 3);
    assert.equal(desiredAt(steps, 100), 4, "the stable average already crosses 3 x 70");
    assert.equal(desiredAt(steps, 101), 6);
    assert.match(steps[101]?.reason ?? "", /fills 4 x 100/);
  });

  it("the 2x panic threshold alone (6 s average, no queueing) triggers panic", () => {
    // Alternating seconds: the 2 s sustained value stays 0, the 6 s average is 150 -> needs 2.14x of 1.
    const config = { ...DEFAULT, maxConcurrency: 1000 };
    const steps = simulate({ config, current: 1, seconds: 80, load: (t) => (t >= 60 && t % 2 === 0 ? 3000 : 0), follow: false });
    const first = steps.findIndex((s) => s.state.panicUntil !== undefined);
    assert.ok(first > 60, `panic at ${first}`);
    assert.match(steps[first]?.reason ?? "", /needs >= 2x/);
  });

  it("a single spiky second does not scale out", () => {
    const steps = simulate({ current: 1, seconds: 200, load: (t) => (t === 100 ? 400 : 50) });
    assert.deepEqual(changes(steps), [[0, 1]]);
  });

  it("panic never scales in; it ends 60 s after the last panic-worthy second, then scale-in waits 30 s and halves", () => {
    const steps = simulate({ current: 1, seconds: 400, load: (t) => (t >= 100 && t < 110 ? 400 : 0) });
    assert.equal(desiredAt(steps, 101), 6);
    // 101 was the last panic-worthy second (with 6 instances, 400 is neither 2x nor queueing).
    const panicSeconds = steps.filter((s) => s.state.panicUntil !== undefined).map((s) => s.t);
    assert.equal(panicSeconds[0], 101);
    assert.equal(panicSeconds.at(-1), 160);
    assert.deepEqual(changes(steps), [
      [0, 1],
      [101, 6],
      [191, 3], // panic over at 161; 30 s below -> 191; at most half
      [221, 2],
      [251, 1],
    ]);
  });

  it("panic keeps the highest count it wanted even when the load drops inside the panic", () => {
    const steps = simulate({ current: 2, seconds: 40, load: (t) => (t < 5 ? 1400 : t < 20 ? 600 : 10) });
    assert.equal(desiredAt(steps, 1), 20);
    assert.ok(steps.slice(1).every((s) => s.desired === 20), "no scale-in while panicking");
  });

  it("panic follows a growing load up", () => {
    const steps = simulate({ current: 1, seconds: 20, load: (t) => 200 * (t + 1) });
    const counts = steps.map((s) => s.desired);
    assert.deepEqual(counts, [...counts].sort((a, b) => a - b), "never down");
    assert.equal(desiredAt(steps, 19), 25, "up to MaxSize");
  });

  it("current 0 with traffic panics to at least one instance at once", () => {
    const steps = simulate({ config: { ...DEFAULT, minSize: 0 }, current: 0, seconds: 3, load: () => 1 });
    assert.equal(desiredAt(steps, 0), 1);
  });
});

describe("decide: burst then quiet (scale-down delay)", () => {
  it("after a long load of 3 instances stops, scale-in waits for a lower want held 30 s, then halves per step", () => {
    const steps = simulate({ current: 3, seconds: 400, load: (t) => (t < 120 ? 150 : 0) });
    // At t >= 120 the window holds k = 179 - t busy seconds: the average 150k/60 wants 2 from
    // t=123 (k <= 56) and 1 from t=151 (k <= 28). 2 held 30 s -> 153; 1 held 30 s at 2 -> 183.
    assert.deepEqual(changes(steps), [
      [0, 3],
      [153, 2],
      [183, 1],
    ]);
    assert.match(steps[152]?.reason ?? "", /scale-in waits/);
    assert.match(steps[153]?.reason ?? "", /scale-in after 30 s/);
  });

  it("goes to the highest count wanted during the delay, not the latest", () => {
    // 10 instances; load falls from 560 (8) to 280 (4), then 0: the first step is to 8 (wanted within the delay).
    const steps = simulate({
      current: 10,
      seconds: 300,
      load: (t) => (t < 60 ? 700 : t < 120 ? 560 : t < 150 ? 280 : 0),
    });
    const down = changes(steps).slice(1);
    assert.ok(down.length > 0);
    for (const [, d] of down) assert.ok(d >= 1);
    const firstDown = down[0];
    assert.ok(firstDown);
    assert.equal(firstDown[1], 9, "wanted 9 while 560 entered the stable average");
  });

  it("a dip shorter than the delay does not scale in, and the delay restarts after it", () => {
    const config = { ...DEFAULT, minSize: 1 };
    // Wants 2 (140) most of the time; 20 s at 0 makes the stable average want 1 for part of it.
    const load = (t: number): number => (t >= 100 && t < 120 ? 0 : t >= 200 && t < 300 ? 0 : 140);
    const steps = simulate({ config, current: 2, seconds: 400, load });
    assert.ok(steps.slice(0, 200).every((s) => s.desired === 2), "the first dip held");
    const [, second] = changes(steps);
    assert.ok(second);
    assert.equal(second[1], 1);
    assert.ok(second[0] >= 200 + 30, `scale-in at ${second[0]}`);
  });

  it("the delay is tied to the count it started at: a change of current restarts it", () => {
    let state = INITIAL_AUTOSCALER_STATE;
    const at = (t: number, current: number): ReturnType<typeof decide> => {
      const d = decide({ now: (T0 + t) * 1000, samples: [], current, config: DEFAULT, state });
      state = d.state;
      return d;
    };
    for (let t = 0; t < 59; t++) assert.equal(at(t, 4).desired, 4);
    assert.equal(at(59, 4).desired, 2, "delay and a full window passed at 4");
    assert.equal(at(60, 2).desired, 2, "the next step waits again");
    assert.equal(at(88, 2).desired, 2);
    assert.equal(at(89, 2).desired, 1);
    assert.equal(at(90, 5).desired, 5, "an outside change to 5 restarts the delay");
    assert.equal(at(119, 5).desired, 5);
    assert.equal(at(120, 5).desired, 3);
  });
});

describe("decide: clamps", () => {
  it("MinSize: no traffic keeps MinSize", () => {
    const steps = simulate({ config: { ...DEFAULT, minSize: 3 }, current: 3, seconds: 300, load: () => 0 });
    assert.deepEqual(changes(steps), [[0, 3]]);
  });

  it("MinSize above current raises at once, even before a window is observed", () => {
    const steps = simulate({ config: { ...DEFAULT, minSize: 3 }, current: 1, seconds: 2, load: () => 0 });
    assert.equal(desiredAt(steps, 0), 3);
  });

  it("MaxSize caps a huge load", () => {
    const steps = simulate({ config: { ...DEFAULT, maxSize: 4 }, current: 1, seconds: 100, load: () => 10_000 });
    assert.deepEqual(changes(steps), [[0, 4]]);
    assert.match(steps[0]?.reason ?? "", /clamped to \[1, 4\]/);
  });

  it("MaxSize below current lowers at once, without waiting or halving", () => {
    const steps = simulate({ config: { ...DEFAULT, maxSize: 2 }, current: 10, seconds: 3, load: () => 5000 });
    assert.equal(desiredAt(steps, 0), 2);
  });

  it("MinSize == MaxSize pins the count", () => {
    const config = { ...DEFAULT, minSize: 2, maxSize: 2 };
    for (const load of [0, 50, 5000]) {
      const steps = simulate({ config, current: 2, seconds: 200, load: () => load });
      assert.deepEqual(changes(steps), [[0, 2]], `load ${load}`);
    }
  });

  it("scale-in never goes below MinSize", () => {
    const steps = simulate({ config: { ...DEFAULT, minSize: 2 }, current: 8, seconds: 400, load: () => 0 });
    assert.deepEqual(changes(steps), [
      [0, 8],
      [59, 4],
      [89, 2],
    ]);
  });
});

describe("decide: no traffic and gaps", () => {
  it("no traffic at all: one instance stays one", () => {
    const steps = simulate({ current: 1, seconds: 300, load: () => 0 });
    assert.deepEqual(changes(steps), [[0, 1]]);
    assert.match(steps[0]?.reason ?? "", /average concurrency 0/);
  });

  it("a gap right after start does not scale in before a full 60 s window was observed", () => {
    // Restart with 4 instances: one busy second, then the data plane reports nothing for 50 s.
    const steps = simulate({ current: 4, seconds: 120, load: (t) => (t === 0 ? 280 : 0) });
    assert.ok(steps.slice(0, 59).every((s) => s.desired === 4), "held through the gap");
    assert.match(steps[10]?.reason ?? "", /no scale-in before a full 60 s window/);
    assert.equal(desiredAt(steps, 59), 2, "a full quiet window observed and wanted lower for > 30 s");
  });

  it("the average right after start is over the seconds observed, not diluted by unknown ones", () => {
    const steps = simulate({ current: 4, seconds: 10, load: () => 280 });
    assert.ok(steps.every((s) => s.desired === 4));
    assert.match(steps[0]?.reason ?? "", /average concurrency 280 over 1 s/);
  });

  it("samples older than the first call count as observed (a restart with the recorder's history)", () => {
    const history = Array.from({ length: 59 }, (_, i) => ({ second: T0 - 59 + i, concurrency: 0.5 }));
    const steps = simulate({ current: 4, seconds: 40, load: () => 0, history });
    assert.equal(desiredAt(steps, 29), 4);
    assert.equal(desiredAt(steps, 30), 2, "full window known from the start: only the 30 s delay");
  });

  it("missing seconds inside the window count as 0", () => {
    // 280 every other second averages 140: 2 instances, not 4 (the first second alone wanted 4).
    const steps = simulate({ current: 2, seconds: 300, load: (t) => (t % 2 === 0 ? 280 : 0) });
    assert.equal(desiredAt(steps, 0), 4);
    assert.ok(steps.slice(120).every((s) => s.desired === 2));
  });

  it("MinSize 0 keeps 1 while the window saw traffic, then goes to 0", () => {
    const config = { ...DEFAULT, minSize: 0 };
    const steps = simulate({ config, current: 1, seconds: 200, load: (t) => (t === 70 ? 1 : 0) });
    assert.deepEqual(changes(steps), [
      [0, 1],
      [59, 0],
      [70, 1], // any traffic: at least 1, at once
      [160, 0], // out of the window at 130, then the 30 s delay
    ]);
  });
});

describe("decide: maxConcurrency 1", () => {
  it("one request at a time keeps a spare instance (70% target)", () => {
    const steps = simulate({ config: { ...DEFAULT, maxConcurrency: 1 }, current: 1, seconds: 120, load: () => 1 });
    assert.deepEqual(changes(steps), [[0, 2]]);
  });

  it("three at once queue on one instance: panic to ceil(3 / 0.7) = 5", () => {
    const steps = simulate({ config: { ...DEFAULT, maxConcurrency: 1 }, current: 1, seconds: 5, load: () => 3 });
    assert.equal(desiredAt(steps, 0), 5);
    assert.match(steps[0]?.reason ?? "", /panic/);
  });

  it("with target 1.0, n requests at once need n instances", () => {
    const config = { ...DEFAULT, maxConcurrency: 1, targetUtilization: 1 };
    for (const n of [1, 2, 7]) {
      const steps = simulate({ config, current: n, seconds: 100, load: () => n });
      assert.deepEqual(changes(steps), [[0, n]], `n=${n}`);
    }
  });
});

describe("decide: targetUtilization edges and input checks", () => {
  it("a tiny target asks for many instances", () => {
    const steps = simulate({ config: { ...DEFAULT, targetUtilization: 0.01 }, current: 1, seconds: 5, load: () => 10 });
    assert.equal(desiredAt(steps, 0), 10);
  });

  for (const targetUtilization of [0, -0.5, 1.01, Number.NaN, Number.POSITIVE_INFINITY]) {
    it(`rejects targetUtilization ${targetUtilization}`, () => {
      assert.throws(
        () => decide({ now: T0 * 1000, samples: [], current: 1, config: { ...DEFAULT, targetUtilization }, state: {} }),
        (err: unknown) => err instanceof AppRunnerError && /targetUtilization/.test(err.message),
      );
    });
  }

  const bad: Array<[string, ScalingConfig, number]> = [
    ["maxConcurrency 0", { ...DEFAULT, maxConcurrency: 0 }, 1],
    ["maxSize below minSize", { ...DEFAULT, minSize: 5, maxSize: 4 }, 1],
    ["maxSize 0", { ...DEFAULT, minSize: 0, maxSize: 0 }, 1],
    ["negative minSize", { ...DEFAULT, minSize: -1 }, 1],
    ["fractional current", DEFAULT, 1.5],
    ["negative current", DEFAULT, -1],
  ];
  for (const [name, config, current] of bad) {
    it(`rejects ${name}`, () => {
      assert.throws(() => decide({ now: T0 * 1000, samples: [], current, config, state: {} }), AppRunnerError);
    });
  }
});

describe("decide: samples and state", () => {
  it("takes the max of duplicate seconds, ignores future seconds and treats bad values as 0, in any order", () => {
    const samples: ConcurrencySample[] = [
      { second: T0 + 1, concurrency: 700 }, // the future
      { second: T0, concurrency: 100 },
      { second: T0, concurrency: 140 },
      { second: T0 - 1, concurrency: Number.NaN },
      { second: T0 - 1, concurrency: -5 },
    ];
    const d = decide({ now: T0 * 1000 + 999, samples, current: 2, config: DEFAULT, state: {} });
    assert.equal(d.desired, 2);
    assert.match(d.reason, /average concurrency 70 over 2 s/);
  });

  it("is pure: same input, same output, and the input state is left alone", () => {
    const state: AutoscalerState = Object.freeze({
      observedSince: T0 - 100,
      scaleDown: Object.freeze({ since: T0 * 1000 - 10_000, from: 3, max: 1 }),
    });
    const input = { now: T0 * 1000, samples: [{ second: T0, concurrency: 10 }], current: 3, config: DEFAULT, state };
    const a = decide(input);
    const b = decide(input);
    assert.deepEqual(a, b);
    assert.equal(state.scaleDown?.since, T0 * 1000 - 10_000);
  });

  it("the first call records when observation started", () => {
    const d = decide({ now: T0 * 1000 + 250, samples: [], current: 1, config: DEFAULT, state: INITIAL_AUTOSCALER_STATE });
    assert.equal(d.state.observedSince, T0);
  });
});
