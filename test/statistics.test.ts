/** The statistics module against scipy's float64 references (test/ref/statistics.json) and hand cases. */
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib';
import {
  fisherZInterval,
  gridBootstrap,
  rateInterval,
  resampleDifference,
  resampleInterval,
  spearmanDifference,
  spearmanOverSeeds,
  mcnemar,
  pairedBootstrap,
  paperDirectionText,
  pairedVerdict,
  percentileBootstrap,
  wilsonInterval,
} from '../lib/experiments/statistics';
import { errorRateDifference, errorRateInterval } from '../lib/experiments/errorRateInterval';

interface Ref {
  wilson: { k: number; n: number; level: number; low: number; high: number }[];
  fisher: { r: number; n: number; level: number; low: number; high: number }[];
  mcnemar: { onlyA: number; onlyB: number; pValue: number }[];
}
const ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref', 'statistics.json'), 'utf8')) as Ref;

describe('intervals that stay in their range', () => {
  it("Wilson matches scipy's binomtest(...).proportion_ci(method='wilson'), 0/n and n/n included", () => {
    for (const w of ref.wilson) {
      const i = wilsonInterval(w.k, w.n, w.level);
      expect(i.low, `${w.k}/${w.n}`).toBeCloseTo(w.low, 12);
      expect(i.high, `${w.k}/${w.n}`).toBeCloseTo(w.high, 12);
      expect(i.low).toBeGreaterThanOrEqual(0);
      expect(i.high).toBeLessThanOrEqual(1);
    }
    expect(() => wilsonInterval(11, 10)).toThrow("wilsonInterval: argument 'successes'");
    expect(() => wilsonInterval(1, 10, 0.8)).toThrow("wilsonInterval: argument 'level' expected 0.9, 0.95 or 0.99");
  });

  it('Fisher z matches tanh(atanh r ± z/√(n − 3)) and stays inside (−1, 1)', () => {
    for (const f of ref.fisher) {
      const i = fisherZInterval(f.r, f.n, f.level);
      expect(i.low).toBeCloseTo(f.low, 12);
      expect(i.high).toBeCloseTo(f.high, 12);
      expect(i.low).toBeGreaterThan(-1);
      expect(i.high).toBeLessThan(1);
    }
    expect(fisherZInterval(1, 10).high).toBeLessThanOrEqual(1);
    expect(() => fisherZInterval(0.3, 3)).toThrow("fisherZInterval: argument 'n'");
  });

  it('a percentile bootstrap of a rate stays in [0, 1] and is reproducible from its seed', () => {
    const outcomes = [1, 1, 1, 1, 1, 1, 1, 1, 1, 0];
    const a = percentileBootstrap(outcomes, { seed: 3 });
    expect(a).toEqual(percentileBootstrap(outcomes, { seed: 3 }));
    expect(a.estimate).toBeCloseTo(0.9, 12);
    expect(a.low).toBeGreaterThanOrEqual(0.5);
    expect(a.high).toBe(1);
    const median = percentileBootstrap([1, 2, 3, 100], {
      statistic: (s) => [...s].sort((x, y) => x - y)[Math.floor(s.length / 2)],
    });
    expect(median.estimate).toBe(3);
  });
});

describe('paired comparisons', () => {
  it("McNemar's exact p-value matches scipy's two-sided binomial test", () => {
    for (const m of ref.mcnemar) {
      const a = [...Array(m.onlyA).fill(true), ...Array(m.onlyB).fill(false), true, false];
      const b = [...Array(m.onlyA).fill(false), ...Array(m.onlyB).fill(true), true, false];
      const r = mcnemar(a, b);
      expect([r.onlyA, r.onlyB]).toEqual([m.onlyA, m.onlyB]);
      expect(r.pValue, `${m.onlyA} vs ${m.onlyB}`).toBeCloseTo(m.pValue, 12);
    }
  });

  it('the paired bootstrap finds a consistent small gain that an unpaired view would miss', () => {
    // Items vary a lot (0…1), A is B + 0.02 on every item: the pairing removes the item spread.
    const rng = new Rng(1);
    const base = Array.from({ length: 3 }, () => Array.from({ length: 100 }, () => rng.uniform()));
    const better = base.map((row) => row.map((x) => x + 0.02));
    const d = pairedBootstrap(better, base, { seed: 1 });
    expect(d.estimate).toBeCloseTo(0.02, 12);
    expect(d.low).toBeCloseTo(0.02, 12);
    expect(d.high).toBeCloseTo(0.02, 12);
    expect(pairedVerdict(d, { a: 'A', b: 'B' }).direction).toBe('higher'); // the same gain on every item
    const tie = pairedBootstrap(base, base, { seed: 1 });
    expect([tie.low, tie.high, tie.smallestDetectable]).toEqual([0, 0, NaN]);
    const tieVerdict = pairedVerdict(tie, { a: 'A', b: 'A again' });
    expect(tieVerdict.direction).toBe('not separated');
    expect(tieVerdict.text).toContain('smallest detectable difference is unknown');
    const noisy = base.map((row) => row.map((x, i) => x + 0.02 + (i % 2 ? 0.05 : -0.05)));
    const e = pairedBootstrap(noisy, base, { seed: 1 });
    expect(e.low).toBeGreaterThan(0);
    const v = pairedVerdict(e, { a: 'A', b: 'B' }, { scale: 100, digits: 1, unit: ' points' });
    expect(v.direction).toBe('higher');
    expect(v.text).toMatch(
      /^A higher than B: difference 2\.0 points \[1\.\d points, [23]\.\d points\]; smallest detectable/,
    );
    expect(e.smallestDetectable).toBeGreaterThan(0);
    expect(e.smallestDetectable).toBeLessThan(0.02);
  });

  it('identical systems are not separated, and the verdict says how small a difference the design could see', () => {
    const rng = new Rng(2);
    const a = [Array.from({ length: 40 }, () => rng.uniform())];
    const b = [a[0].map((x, i) => (i % 2 ? x + 0.1 : x - 0.1))];
    const d = pairedBootstrap(a, b, { seed: 4 });
    expect(d.low).toBeLessThan(0);
    expect(d.high).toBeGreaterThan(0);
    const v = pairedVerdict(d, { a: 'KD', b: 'SS' });
    expect(v.direction).toBe('not separated');
    expect(v.text).toContain('KD vs SS: not separated at this size');
    expect(v.text).toContain('(40 items × 1 seeds)');
    expect(() => pairedBootstrap(a, [[1, 2]])).toThrow("pairedBootstrap: arguments 'a' and 'b' expected the same");
  });
});

describe('one system over seeds × items', () => {
  it('the grid bootstrap of right/wrong outcomes stays in [0, 1] and agrees with Wilson on one seed', () => {
    expect(
      gridBootstrap([
        [1, 1, 1],
        [1, 1, 1],
      ]),
    ).toMatchObject({ estimate: 1, low: 1, high: 1 });
    expect(
      gridBootstrap([
        [0, 0],
        [0, 0],
      ]),
    ).toMatchObject({ estimate: 0, low: 0, high: 0 });
    // 30 of 200 right in one run: the bootstrap's interval is Wilson's to within a point.
    const outcomes = [Array.from({ length: 200 }, (_, i) => (i % 20 < 3 ? 1 : 0))];
    const boot = gridBootstrap(outcomes, { seed: 3, resamples: 4000 });
    const wilson = wilsonInterval(30, 200);
    expect(boot.estimate).toBeCloseTo(0.15, 12);
    expect(Math.abs(boot.low - wilson.low)).toBeLessThan(0.015);
    expect(Math.abs(boot.high - wilson.high)).toBeLessThan(0.015);
  });

  it('seeds that disagree widen the interval beyond what the items alone give', () => {
    // Hand case: two seeds, one scores every item 1, the other 0. Items agree within a seed, so
    // the item resampling adds nothing and the seed resampling gives means 0, ½ or 1.
    const split = gridBootstrap(
      [
        [1, 1, 1, 1],
        [0, 0, 0, 0],
      ],
      { seed: 1 },
    );
    expect(split.estimate).toBe(0.5);
    expect([split.low, split.high]).toEqual([0, 1]);
    const half = Array.from({ length: 40 }, (_, i) => i % 2);
    const agree = gridBootstrap([half, half], { seed: 1 });
    expect(agree.estimate).toBe(0.5);
    expect(agree.high - agree.low).toBeLessThan(0.4); // ≈ 2 · 1.96 · √(¼ / 40) = 0.31
    expect(() => gridBootstrap([[1, 2], [3]])).toThrow(
      "gridBootstrap: argument 'values' expected a non-empty [seeds][items] grid of finite numbers with equal rows",
    );
  });
});

describe('a rate over seeds × items', () => {
  it("at 100 % right the interval is Wilson's, not a point; elsewhere it holds both intervals", () => {
    const all = [Array(50).fill(1), Array(50).fill(1)];
    expect(gridBootstrap(all)).toMatchObject({ low: 1, high: 1 });
    const r = rateInterval(all);
    expect(r.estimate).toBe(1);
    expect(r.high).toBe(1);
    expect(r.low).toBeCloseTo(wilsonInterval(100, 100).low, 12); // 0.963
    const mixed = [
      Array.from({ length: 50 }, (_, i) => (i < 40 ? 1 : 0)),
      Array.from({ length: 50 }, (_, i) => (i < 20 ? 1 : 0)),
    ];
    const boot = gridBootstrap(mixed);
    const w = wilsonInterval(60, 100);
    const m = rateInterval(mixed);
    expect(m.low).toBe(Math.min(boot.low, w.low));
    expect(m.high).toBe(Math.max(boot.high, w.high));
    expect(() => rateInterval([[0.5, 1]])).toThrow("rateInterval: argument 'right' expected outcomes 0 (wrong) or 1");
  });
});

describe('any statistic over seeds × items', () => {
  it('recomputed on each resample: for the mean it is exactly the grid bootstrap', () => {
    const rng = new Rng(5);
    const grid = Array.from({ length: 3 }, () => Array.from({ length: 30 }, () => rng.uniform()));
    const mean = (seeds: readonly number[], items: readonly number[]) =>
      seeds.reduce((s, k) => s + items.reduce((t, i) => t + grid[k][i], 0), 0) / (seeds.length * items.length);
    expect(resampleInterval(3, 30, mean, { seed: 2 })).toEqual(gridBootstrap(grid, { seed: 2 }));
    const d = resampleDifference(3, 30, (s, i) => mean(s, i) - mean(s, i) + 0.1, { seed: 2 });
    expect([d.estimate, d.low, d.high, d.smallestDetectable]).toEqual([0.1, 0.1, 0.1, NaN]);
    expect(() => resampleInterval(3, 30, () => NaN)).toThrow('resampleInterval: the statistic returned a non-finite');
  });
});

describe("our difference beside the paper's", () => {
  const diff = (estimate: number, low: number, high: number, smallestDetectable: number) => ({
    estimate,
    low,
    high,
    smallestDetectable,
    level: 0.95,
    seeds: 3,
    items: 140,
  });
  it('names the same, the opposite, or an untestable direction', () => {
    expect(paperDirectionText(diff(0.02, 0.01, 0.03, 0.01), 0.7, { scale: 100 })).toBe(
      'ours +2.0 [+1.0, +3.0] vs paper +0.7: the same direction',
    );
    expect(paperDirectionText(diff(-0.02, -0.03, -0.01, 0.01), 0.7, { scale: 100 })).toContain(
      "the opposite of the paper's direction",
    );
    expect(paperDirectionText(diff(0.0, -0.03, 0.03, 0.04), 0.7, { scale: 100 })).toBe(
      "ours +0.0 [-3.0, +3.0] vs paper +0.7: not separated; the paper's effect is below the smallest " +
        'difference this design detects (4.0), so it cannot test it',
    );
    expect(paperDirectionText(diff(0.0, -0.03, 0.03, 0.04), 9, { scale: 100 })).toContain('would likely have shown');
  });
});

describe("Spearman's ρ over seeds × held-out items", () => {
  it('stays in [−1, 1], is exact for a perfect ranking, and pairs two methods on the same items', () => {
    const truth = Array.from({ length: 40 }, (_, i) => i);
    const perfect = [truth, truth];
    expect(spearmanOverSeeds(perfect, truth)).toMatchObject({ estimate: 1, low: 1, high: 1 });
    const rng = new Rng(9);
    const noisy = [0, 1, 2].map(() => truth.map((t) => t + 15 * rng.normal()));
    const i = spearmanOverSeeds(noisy, truth, { resamples: 500 });
    expect(i.low).toBeGreaterThan(0);
    expect(i.high).toBeLessThanOrEqual(1);
    const d = spearmanDifference([truth, truth, truth], noisy, truth, { resamples: 500 });
    expect(d.low).toBeGreaterThan(0); // the exact ranking beats the noisy one on every resample
    expect(() => spearmanOverSeeds([[1, 2, 3]], truth)).toThrow(
      "spearmanOverSeeds: argument 'scores' expected one score per item of 'truth' (40) but got 3",
    );
  });
});

describe('errorRateInterval', () => {
  const refs = ['abcd', 'abcd', 'abcd', 'abcd', 'abcd', 'abcd'];
  // Speaker x loses every character; speakers y and z none.
  const hyps = ['', '', 'abcd', 'abcd', 'abcd', 'abcd'];
  const speakers = ['x', 'x', 'y', 'y', 'z', 'z'];

  it('pools edits over lengths and keeps the interval in [0, ∞)', () => {
    const i = errorRateInterval(refs, hyps, { clusters: speakers, seed: 3 });
    expect(i.estimate).toBeCloseTo(8 / 24, 12);
    expect(i.clusters).toBe(3);
    expect(i.low).toBeGreaterThanOrEqual(0);
    expect(i.low).toBeLessThanOrEqual(i.estimate);
    expect(i.high).toBeGreaterThanOrEqual(i.estimate);
  });

  it('is wider when whole speakers are resampled than when utterances are', () => {
    const bySpeaker = errorRateInterval(refs, hyps, { clusters: speakers, seed: 3 });
    const byUtterance = errorRateInterval(refs, hyps, { seed: 3 });
    expect(byUtterance.clusters).toBe(6);
    expect(bySpeaker.high - bySpeaker.low).toBeGreaterThan(byUtterance.high - byUtterance.low);
  });

  it('pairs a difference on the same clusters: a constant gap has an interval of width 0', () => {
    // B misses one character in speaker x's utterances; A misses one more in every utterance
    const b = ['abc', 'abc', 'abcd', 'abcd', 'abcd', 'abcd'];
    const a = b.map((h) => h.slice(1));
    const d = errorRateDifference(refs, a, b, { clusters: speakers, seed: 3 });
    expect(d.estimate).toBeCloseTo(6 / 24, 12);
    expect([d.low, d.high]).toEqual([d.estimate, d.estimate]);
    expect(d.items).toBe(3);
    // against the speaker-x-deaf hyps the gap varies by speaker, so the interval has width
    const varied = errorRateDifference(refs, hyps, b, { clusters: speakers, seed: 3 });
    expect(varied.estimate).toBeCloseTo((8 - 2) / 24, 12);
    expect(varied.high).toBeGreaterThan(varied.low);
  });

  it('names a mismatched cluster list', () => {
    expect(() => errorRateInterval(refs, hyps, { clusters: ['x'] })).toThrow(
      /errorRateInterval.*'clusters' expected one label per utterance \(6\) but got 1/,
    );
  });
});
