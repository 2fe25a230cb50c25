/**
 * Statistics that fit the notebooks' designs: intervals that stay inside their quantity's range,
 * and paired comparisons of two systems scored on the same test items (and seeds).
 *
 *   Wilson interval of a rate p̂ = k/n:   (p̂ + z²/2n ± z·√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n)     ⊂ [0, 1]
 *   Fisher z interval of a correlation r:  tanh(atanh r ± z/√(n − 3))                          ⊂ (−1, 1)
 *   percentile bootstrap:                  the α/2 and 1 − α/2 quantiles of the statistic over
 *                                          resamples drawn with replacement (seeded)
 *   grid bootstrap of a mean:              x[s][i], the score of item i in seed s; resample seeds
 *                                          and items independently and take the mean over each
 *                                          resampled grid (inside the range of the scores)
 *   rate over seeds × items:               the union of that bootstrap and the Wilson interval of
 *                                          the pooled count (not a point at 0 % or 100 %)
 *   paired bootstrap of a difference:      d[s][i] = a[s][i] − b[s][i] for seed s and item i;
 *                                          resample seeds and items independently, with replacement,
 *                                          and take the mean of d over each resampled grid
 *   any statistic over seeds × items:      recomputed on each resample (resampleInterval), and
 *                                          A − B on the same resamples (resampleDifference)
 *   McNemar (exact):                       of the items exactly one system gets right, n₁₀ only A,
 *                                          n₀₁ only B; p = 2·P(X ≤ min(n₁₀, n₀₁)), X ~ Bin(n₁₀ + n₀₁, ½)
 *
 * A verdict names the direction only when the interval of the difference excludes 0, and
 * states the smallest difference the design can detect: with the bootstrap's standard error
 * SE ≈ (high − low) / (2·z), a true difference of (z_{1−α/2} + z_{0.8})·SE ≈ 2.8·SE would be
 * found 80% of the time at α = 0.05.
 */
import { Rng } from '../core/random';
import { spearman } from '../metrics/rankCorrelation';
import { checkArgs } from '../core/validate';

/** An estimate with its interval (`level`, e.g. 0.95). */
export interface Interval {
  estimate: number;
  low: number;
  high: number;
  level: number;
}

const Z = { 0.9: 1.6448536269514722, 0.95: 1.959963984540054, 0.99: 2.5758293035489004 } as const;
const Z_POWER_80 = 0.8416212335729143;

function zOf(fn: string, level: number): number {
  checkArgs(fn).require(
    level === 0.9 || level === 0.95 || level === 0.99,
    `argument 'level' expected 0.9, 0.95 or 0.99 but got ${level}`,
  );
  return Z[level as keyof typeof Z];
}

/** Wilson score interval of a rate `successes / n` (inside [0, 1] for every count, 0 and n included). */
export function wilsonInterval(successes: number, n: number, level = 0.95): Interval {
  const z = zOf('wilsonInterval', level);
  checkArgs('wilsonInterval')
    .number('n', n, { integer: true, min: 1 })
    .number('successes', successes, { integer: true, min: 0, max: n });
  const p = successes / n;
  const centre = (p + (z * z) / (2 * n)) / (1 + (z * z) / n);
  const half = (z / (1 + (z * z) / n)) * Math.sqrt((p * (1 - p)) / n + (z * z) / (4 * n * n));
  return { estimate: p, low: Math.max(0, centre - half), high: Math.min(1, centre + half), level };
}

/** Fisher z interval of a correlation `r` over `n` pairs (n ≥ 4; inside (−1, 1)). */
export function fisherZInterval(r: number, n: number, level = 0.95): Interval {
  const z = zOf('fisherZInterval', level);
  checkArgs('fisherZInterval').number('r', r, { min: -1, max: 1 }).number('n', n, { integer: true, min: 4 });
  const clipped = Math.max(-1 + 1e-12, Math.min(1 - 1e-12, r));
  const centre = Math.atanh(clipped);
  const half = z / Math.sqrt(n - 3);
  return { estimate: r, low: Math.tanh(centre - half), high: Math.tanh(centre + half), level };
}

/** The q-quantile (0 ≤ q ≤ 1) of sorted values, linearly interpolated. */
function quantile(sorted: readonly number[], q: number): number {
  const pos = q * (sorted.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

export interface BootstrapOptions {
  /** Resamples (default 2000). */
  resamples?: number;
  /** Seed of the resampling (default 0). */
  seed?: number;
  /** Interval level: 0.9, 0.95 (default) or 0.99. */
  level?: number;
}

function bootstrapOptions(fn: string, opts: BootstrapOptions): Required<BootstrapOptions> {
  const o = { resamples: opts.resamples ?? 2000, seed: opts.seed ?? 0, level: opts.level ?? 0.95 };
  zOf(fn, o.level);
  checkArgs(fn).number('resamples', o.resamples, { integer: true, min: 100 }).number('seed', o.seed, { integer: true });
  return o;
}

/**
 * Percentile bootstrap interval of `statistic` (default: the mean) over `values`, resampled with
 * replacement. The interval lies within the statistic's values over the resamples, so a
 * statistic confined to a range (a rate, a score in [0, 1]) keeps its interval there.
 */
export function percentileBootstrap(
  values: readonly number[],
  opts: BootstrapOptions & { statistic?: (sample: readonly number[]) => number } = {},
): Interval {
  const o = bootstrapOptions('percentileBootstrap', opts);
  checkArgs('percentileBootstrap').require(
    Array.isArray(values) && values.length > 0 && values.every(Number.isFinite),
    `argument 'values' expected a non-empty array of finite numbers`,
  );
  const statistic = opts.statistic ?? ((s: readonly number[]) => s.reduce((a, b) => a + b, 0) / s.length);
  const rng = new Rng(o.seed);
  const sample = new Array<number>(values.length);
  const stats: number[] = [];
  for (let r = 0; r < o.resamples; r++) {
    for (let i = 0; i < values.length; i++) sample[i] = values[rng.int(values.length)];
    stats.push(statistic(sample));
  }
  stats.sort((a, b) => a - b);
  const alpha = 1 - o.level;
  return {
    estimate: statistic(values),
    low: quantile(stats, alpha / 2),
    high: quantile(stats, 1 - alpha / 2),
    level: o.level,
  };
}

/**
 * `0.853 [0.831, 0.874]`: an interval in words, its values times `scale` (e.g. 100 for
 * percent) with `digits` decimals and an optional `unit`.
 */
export function intervalText(i: Interval, opts: { scale?: number; digits?: number; unit?: string } = {}): string {
  checkArgs('intervalText').require(
    i !== null && typeof i === 'object' && [i.estimate, i.low, i.high].every((x) => typeof x === 'number'),
    `argument 'i' expected an interval { estimate, low, high } but got ${JSON.stringify(i)}`,
  );
  const scale = opts.scale ?? 1;
  const digits = opts.digits ?? 3;
  const f = (x: number): string => `${(scale * x).toFixed(digits)}${opts.unit ?? ''}`;
  return `${f(i.estimate)} [${f(i.low)}, ${f(i.high)}]`;
}

/** A paired difference A − B with its bootstrap interval and what the design can detect. */
export interface PairedDifference extends Interval {
  /**
   * ≈ 2.8 · SE: the true difference this design would detect 80% of the time at α = 1 − level;
   * NaN when every resample gave the same difference (no spread to estimate SE from, e.g. two
   * systems that get every item wrong): the design's resolution is then unknown, not perfect.
   */
  smallestDetectable: number;
  seeds: number;
  items: number;
}

/** A [seeds][items] grid of finite numbers with equal rows, or a named error. */
function checkGrid(fn: string, name: string, grid: readonly (readonly number[])[]): { S: number; I: number } {
  const S = grid?.length;
  const I = grid?.[0]?.length;
  checkArgs(fn).require(
    S > 0 && I > 0 && grid.every((row) => row.length === I && row.every(Number.isFinite)),
    `argument '${name}' expected a non-empty [seeds][items] grid of finite numbers with equal rows`,
  );
  return { S, I };
}

/**
 * The percentile interval of the grid's mean when seeds and items are resampled
 * independently, with replacement (each resample: S seeds and I items drawn, the mean over
 * their S × I cells).
 */
function gridInterval(grid: readonly (readonly number[])[], o: Required<BootstrapOptions>): Interval {
  const mean = (seeds: readonly number[], items: readonly number[]): number => {
    let sum = 0;
    for (const s of seeds) for (const i of items) sum += grid[s][i];
    return sum / (seeds.length * items.length);
  };
  return resampleInterval(grid.length, grid[0].length, mean, o);
}

/**
 * Bootstrap interval of the mean of `values[s][i]`, one system's score of item i in seed s
 * (one row per seed; a single run is one row), resampling seeds and items independently. A
 * mean of per-item scores in [0, 1] (right/wrong, a per-item rate) keeps its interval in
 * [0, 1].
 */
export function gridBootstrap(values: readonly (readonly number[])[], opts: BootstrapOptions = {}): Interval {
  const o = bootstrapOptions('gridBootstrap', opts);
  checkGrid('gridBootstrap', 'values', values);
  return gridInterval(values, o);
}

/**
 * Interval of a rate from right/wrong outcomes `right[s][i]` (1 or 0) of items over seeds: the
 * union of the seeds × items bootstrap ({@link gridBootstrap}, which carries the spread
 * between seeds) and the Wilson interval of the pooled count (which stays honest at 0 and at
 * 100 %, where every resample agrees and the bootstrap collapses to a point).
 */
export function rateInterval(right: readonly (readonly number[])[], opts: BootstrapOptions = {}): Interval {
  const o = bootstrapOptions('rateInterval', opts);
  const { S, I } = checkGrid('rateInterval', 'right', right);
  checkArgs('rateInterval').require(
    right.every((row) => row.every((x) => x === 0 || x === 1)),
    "argument 'right' expected outcomes 0 (wrong) or 1 (right)",
  );
  const boot = gridInterval(right, o);
  const wilson = wilsonInterval(Math.round(boot.estimate * S * I), S * I, o.level);
  return { ...boot, low: Math.min(boot.low, wilson.low), high: Math.max(boot.high, wilson.high) };
}

/** (z₁₋α/₂ + z₀.₈) · SE with SE = width / (2 z₁₋α/₂); NaN for an interval of width 0. */
function detectableFrom(d: Interval): number {
  const z = Z[d.level as keyof typeof Z];
  return d.high > d.low ? ((z + Z_POWER_80) * (d.high - d.low)) / (2 * z) : NaN;
}

/**
 * Paired bootstrap of mean(A) − mean(B) for two systems scored on the same items in the same
 * seeds: `a[s][i]`, `b[s][i]` (one row per seed; a single run is one row). Seeds and items are
 * resampled independently, so the interval reflects both the test set's size and the spread
 * between training runs.
 */
export function pairedBootstrap(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
  opts: BootstrapOptions = {},
): PairedDifference {
  const o = bootstrapOptions('pairedBootstrap', opts);
  const { S, I } = checkGrid('pairedBootstrap', 'a', a);
  checkGrid('pairedBootstrap', 'b', b);
  checkArgs('pairedBootstrap').require(
    b.length === S && b[0].length === I,
    `arguments 'a' and 'b' expected the same [seeds][items] grid but got ${S}×${I} and ${b.length}×${b[0].length}`,
  );
  const d = gridInterval(
    a.map((row, s) => row.map((x, i) => x - b[s][i])),
    o,
  );
  return { ...d, smallestDetectable: detectableFrom(d), seeds: S, items: I };
}

/**
 * Bootstrap of a statistic that is not a mean of per-item scores (an F1, a weighted accuracy
 * averaged over labels): `statistic(seedIndices, itemIndices)` computes it on the resampled
 * seeds and items (indices drawn with replacement, independently; repeats count), and
 * `statistic(all seeds, all items)` is the estimate.
 */
export function resampleInterval(
  seeds: number,
  items: number,
  statistic: (seedIndices: readonly number[], itemIndices: readonly number[]) => number,
  opts: BootstrapOptions = {},
): Interval {
  const o = bootstrapOptions('resampleInterval', opts);
  checkArgs('resampleInterval')
    .number('seeds', seeds, { integer: true, min: 1 })
    .number('items', items, { integer: true, min: 1 })
    .require(typeof statistic === 'function', "argument 'statistic' expected a function (seeds, items) => number");
  const all = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
  const rng = new Rng(o.seed);
  const stats: number[] = [];
  for (let r = 0; r < o.resamples; r++) {
    const s = Array.from({ length: seeds }, () => rng.int(seeds));
    const i = Array.from({ length: items }, () => rng.int(items));
    stats.push(statistic(s, i));
  }
  checkArgs('resampleInterval').require(stats.every(Number.isFinite), 'the statistic returned a non-finite value');
  stats.sort((x, y) => x - y);
  const alpha = 1 - o.level;
  return {
    estimate: statistic(all(seeds), all(items)),
    low: quantile(stats, alpha / 2),
    high: quantile(stats, 1 - alpha / 2),
    level: o.level,
  };
}

/**
 * The paired form of {@link resampleInterval}: `difference(seedIndices, itemIndices)` is
 * statistic(A) − statistic(B) on the same resampled seeds and items.
 */
export function resampleDifference(
  seeds: number,
  items: number,
  difference: (seedIndices: readonly number[], itemIndices: readonly number[]) => number,
  opts: BootstrapOptions = {},
): PairedDifference {
  const o = bootstrapOptions('resampleDifference', opts);
  const d = resampleInterval(seeds, items, difference, o);
  return { ...d, smallestDetectable: detectableFrom(d), seeds, items };
}

/** Mean over the given seeds of Spearman's ρ between `scores[s]` and `truth` on the given items. */
function meanSpearman(
  scores: readonly (readonly number[])[],
  truth: readonly number[],
  seeds: readonly number[],
  items: readonly number[],
): number {
  const t = items.map((i) => truth[i]);
  return (
    seeds.reduce(
      (sum, s) =>
        sum +
        spearman(
          items.map((i) => scores[s][i]),
          t,
        ),
      0,
    ) / seeds.length
  );
}

function checkScores(fn: string, name: string, scores: readonly (readonly number[])[], truth: readonly number[]): void {
  checkArgs(fn).require(
    Array.isArray(truth) && truth.length >= 4 && truth.every(Number.isFinite),
    `argument 'truth' expected at least 4 finite values but got ${truth?.length}`,
  );
  checkGrid(fn, name, scores);
  checkArgs(fn).require(
    scores[0].length === truth.length,
    `argument '${name}' expected one score per item of 'truth' (${truth.length}) but got ${scores[0].length}`,
  );
}

/**
 * Spearman's ρ between a method's scores `scores[s][i]` (seed s, held-out item i) and the
 * truth, averaged over seeds, with its 95% interval over resampled seeds × items (inside
 * [−1, 1], unlike a Student-t interval over a few seeds).
 */
export function spearmanOverSeeds(
  scores: readonly (readonly number[])[],
  truth: readonly number[],
  opts: BootstrapOptions = {},
): Interval {
  checkScores('spearmanOverSeeds', 'scores', scores, truth);
  return resampleInterval(scores.length, truth.length, (s, i) => meanSpearman(scores, truth, s, i), opts);
}

/** Paired difference in seed-averaged Spearman ρ of two methods scored on the same items and seeds. */
export function spearmanDifference(
  a: readonly (readonly number[])[],
  b: readonly (readonly number[])[],
  truth: readonly number[],
  opts: BootstrapOptions = {},
): PairedDifference {
  checkScores('spearmanDifference', 'a', a, truth);
  checkScores('spearmanDifference', 'b', b, truth);
  checkArgs('spearmanDifference').require(
    a.length === b.length,
    `arguments 'a' and 'b' expected the same seeds but got ${a.length} and ${b.length}`,
  );
  return resampleDifference(
    a.length,
    truth.length,
    (s, i) => meanSpearman(a, truth, s, i) - meanSpearman(b, truth, s, i),
    opts,
  );
}

/** Exact McNemar test on per-item outcomes (true = right) of two systems on the same items. */
export function mcnemar(
  aRight: readonly boolean[],
  bRight: readonly boolean[],
): { onlyA: number; onlyB: number; pValue: number } {
  checkArgs('mcnemar').require(
    Array.isArray(aRight) && Array.isArray(bRight) && aRight.length === bRight.length && aRight.length > 0,
    `arguments 'aRight' and 'bRight' expected outcome arrays of the same non-zero length`,
  );
  let onlyA = 0;
  let onlyB = 0;
  aRight.forEach((x, i) => {
    if (x && !bRight[i]) onlyA++;
    else if (!x && bRight[i]) onlyB++;
  });
  const n = onlyA + onlyB;
  const k = Math.min(onlyA, onlyB);
  // P(X ≤ k) for X ~ Bin(n, ½), in log space so large n stay finite
  let logC = 0;
  let tail = 0;
  for (let j = 0; j <= k; j++) {
    if (j > 0) logC += Math.log(n - j + 1) - Math.log(j);
    tail += Math.exp(logC - n * Math.LN2);
  }
  return { onlyA, onlyB, pValue: n === 0 ? 1 : Math.min(1, 2 * tail) };
}

/**
 * The verdict on a paired difference A − B in words: "A higher", "A lower", or "not separated at
 * this size", with the smallest difference the design can detect (in the quantity's units,
 * scaled by `scale`, e.g. 100 for percentage points, and `digits` decimals).
 */
export function pairedVerdict(
  d: PairedDifference,
  names: { a: string; b: string },
  opts: { scale?: number; digits?: number; unit?: string } = {},
): { direction: 'higher' | 'lower' | 'not separated'; text: string } {
  const scale = opts.scale ?? 1;
  const digits = opts.digits ?? 2;
  const unit = opts.unit ?? '';
  const f = (x: number): string => `${(scale * x).toFixed(digits)}${unit}`;
  const direction = d.low > 0 ? 'higher' : d.high < 0 ? 'lower' : 'not separated';
  const interval = `${f(d.estimate)} [${f(d.low)}, ${f(d.high)}]`;
  const size = `${d.items} items × ${d.seeds} seeds`;
  const detect = Number.isNaN(d.smallestDetectable)
    ? `no spread between resamples, so the smallest detectable difference is unknown (${size})`
    : `smallest detectable difference ${f(d.smallestDetectable)} (${size})`;
  const text =
    direction === 'not separated'
      ? `${names.a} vs ${names.b}: not separated at this size, difference ${interval}; ${detect}`
      : `${names.a} ${direction} than ${names.b}: difference ${interval}; ${detect}`;
  return { direction, text };
}

/**
 * Our paired difference set beside a paper's reported difference (same sign convention, same
 * units after `scale`): whether our direction matches, is opposite, or is not separated — and
 * then whether the paper's effect is above or below the smallest difference our design detects.
 */
export function paperDirectionText(
  d: PairedDifference,
  paper: number,
  opts: { scale?: number; digits?: number; unit?: string } = {},
): string {
  checkArgs('paperDirectionText').number('paper', paper);
  const scale = opts.scale ?? 1;
  const f = (x: number): string => `${x >= 0 ? '+' : ''}${x.toFixed(opts.digits ?? 1)}${opts.unit ?? ''}`;
  const ours = `ours ${f(scale * d.estimate)} [${f(scale * d.low)}, ${f(scale * d.high)}]`;
  const theirs = `paper ${f(paper)}`;
  if (d.low > 0 || d.high < 0) {
    const same = Math.sign(d.estimate) === Math.sign(paper);
    return `${ours} vs ${theirs}: ${same ? 'the same direction' : "the opposite of the paper's direction"}`;
  }
  const detectable = scale * d.smallestDetectable;
  if (Number.isNaN(detectable))
    return `${ours} vs ${theirs}: not separated, and no spread between resamples to say what this design detects`;
  return (
    `${ours} vs ${theirs}: not separated; the paper's effect is ` +
    (Math.abs(paper) < detectable
      ? `below the smallest difference this design detects (${f(detectable).replace('+', '')}), so it cannot test it`
      : `above the smallest difference this design detects (${f(detectable).replace('+', '')}), ` +
        'so it would likely have shown')
  );
}
