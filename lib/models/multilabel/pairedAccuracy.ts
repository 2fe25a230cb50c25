/**
 * Notebook 07's accuracies kept as every test image's outcome, so that intervals and
 * comparisons follow the design: in every seed, each approach predicts the same test images.
 *
 *   right_k[s][n] = [ŷ_k(n) = y_k(n)] in seed s        (category k; 'pair': every category right)
 *   accuracy      = mean of right over seeds × images, its interval by `rateInterval` (seeds
 *                   and images resampled independently, widened to Wilson's: inside [0, 100] %)
 *   A − B         = `pairedBootstrap(right(A), right(B))`, worded by `pairedVerdict`
 *
 * Losses are one number per seed; they are shown as the mean with the range over seeds.
 */
import { checkArgs } from '../../core/validate';
import {
  intervalText,
  Interval,
  pairedBootstrap,
  PairedDifference,
  pairedVerdict,
  rateInterval,
} from '../../experiments/statistics';
import type { ApproachRun, LabelArrays } from './comparison';
import type { Row } from './tables';

/** One record per seed: approach name → its run (the same approaches in every seed). */
export type SeedRuns = readonly Record<string, ApproachRun>[];

/** Which test images count: those whose combination was seen in training, or the others. */
export type Combinations = 'seen' | 'unseen';

function checkRuns(fn: string, runs: SeedRuns, approach?: string): void {
  const c = checkArgs(fn);
  c.require(Array.isArray(runs) && runs.length > 0, "argument 'runs' expected one record of approaches per seed");
  if (approach !== undefined)
    c.require(
      runs.every((r) => r[approach] !== undefined),
      `argument 'approach' expected one of ${Object.keys(runs[0]).join(', ')} in every seed but got '${approach}'`,
    );
}

/** The indices of the test images of the seen (or unseen) combinations. */
function selected(fn: string, seen: readonly boolean[], which: Combinations): number[] {
  const idx = seen.flatMap((s, n) => (s === (which === 'seen') ? [n] : []));
  checkArgs(fn).require(idx.length > 0, `no test image has a ${which} combination`);
  return idx;
}

/**
 * right[s][j] (1 or 0) of `approach` on the j-th selected test image in seed s, for one
 * category of `truth` or `'pair'` (every category right).
 */
export function correctnessGrid(
  runs: SeedRuns,
  approach: string,
  truth: LabelArrays,
  seen: readonly boolean[],
  which: Combinations,
  metric: string,
): number[][] {
  checkRuns('correctnessGrid', runs, approach);
  const cats = Object.keys(truth);
  checkArgs('correctnessGrid').require(
    metric === 'pair' || cats.includes(metric),
    `argument 'metric' expected 'pair' or one of ${cats.join(', ')} but got '${metric}'`,
  );
  const idx = selected('correctnessGrid', seen, which);
  const scored = metric === 'pair' ? cats : [metric];
  return runs.map((r) => {
    const pred = r[approach].predictions;
    return idx.map((n) => (scored.every((k) => pred[k][n] === truth[k][n]) ? 1 : 0));
  });
}

/** `84.3 [82.1, 86.4]`: an interval of a fraction, in percent. */
export function percentInterval(i: Interval, digits = 1): string {
  return intervalText(i, { scale: 100, digits });
}

/**
 * One row per approach: accuracy (%) per category and for the pair with its 95% seeds × images
 * bootstrap interval and, on seen combinations, each test loss as mean (min–max over seeds);
 * plus the intervals themselves for computed prose.
 */
export function accuracyIntervalRows(
  runs: SeedRuns,
  truth: LabelArrays,
  seen: readonly boolean[],
  which: Combinations,
): { rows: Row[]; intervals: Record<string, Record<string, Interval>> } {
  checkRuns('accuracyIntervalRows', runs);
  const metrics = [...Object.keys(truth), 'pair'];
  const intervals: Record<string, Record<string, Interval>> = {};
  const rows = Object.keys(runs[0]).map((approach) => {
    intervals[approach] = Object.fromEntries(
      metrics.map((m) => [m, rateInterval(correctnessGrid(runs, approach, truth, seen, which, m))]),
    );
    const row: Row = { approach, seeds: runs.length, images: selected('accuracyIntervalRows', seen, which).length };
    for (const m of metrics) row[`${m} acc (%)`] = percentInterval(intervals[approach][m]);
    if (which === 'seen') Object.assign(row, lossCells(runs, approach, Object.keys(truth)));
    return row;
  });
  return { rows, intervals };
}

/** Each head's test loss (HC: its joint loss), mean (min–max) over seeds; '—' where absent. */
function lossCells(runs: SeedRuns, approach: string, cats: readonly string[]): Row {
  const joint = runs[0][approach].seenLoss.length === 1 && cats.length > 1;
  const text = (values: number[]): string =>
    `${(values.reduce((a, b) => a + b, 0) / values.length).toFixed(3)} ` +
    `(${Math.min(...values).toFixed(3)}–${Math.max(...values).toFixed(3)})`;
  const row: Row = {};
  cats.forEach((k, i) => {
    row[`${k} loss`] = joint ? '—' : text(runs.map((r) => r[approach].seenLoss[i]));
  });
  row['joint loss'] = joint ? text(runs.map((r) => r[approach].seenLoss[0])) : '—';
  return row;
}

/** A comparison to make: A − B on one metric ('pair' or a category). */
export interface ApproachContrast {
  a: string;
  b: string;
  metric: string;
}

/**
 * Paired differences A − B in accuracy over the same test images and seeds, each with its
 * 95% interval, the smallest difference the design detects and the verdict in words.
 */
export function compareApproaches(
  runs: SeedRuns,
  truth: LabelArrays,
  seen: readonly boolean[],
  which: Combinations,
  contrasts: readonly ApproachContrast[],
): { rows: Row[]; differences: PairedDifference[] } {
  checkArgs('compareApproaches').require(
    Array.isArray(contrasts) && contrasts.length > 0,
    "argument 'contrasts' expected a non-empty array of { a, b, metric }",
  );
  const differences = contrasts.map(({ a, b, metric }) =>
    pairedBootstrap(
      correctnessGrid(runs, a, truth, seen, which, metric),
      correctnessGrid(runs, b, truth, seen, which, metric),
    ),
  );
  const rows = contrasts.map(({ a, b, metric }, k) => {
    const d = differences[k];
    const pp = (x: number): string => (100 * x).toFixed(1);
    return {
      comparison: `${a} − ${b}`,
      accuracy: metric,
      'difference (points)': `${pp(d.estimate)} [${pp(d.low)}, ${pp(d.high)}]`,
      'smallest detectable (points)': Number.isNaN(d.smallestDetectable) ? '— (no spread)' : pp(d.smallestDetectable),
      verdict: pairedVerdict(d, { a, b }).direction,
    };
  });
  return { rows, differences };
}
