/**
 * Repeating an experiment over seeds and summarising it as mean ± a 95% interval.
 *
 * One run gives one number; a comparison between two models is only as good as the spread of
 * that number over the random choices (initialisation, data order, dropout…). `runSeeds` runs
 * the same experiment once per seed and keeps every run; `summarize` reduces the values of one
 * metric to
 *
 *   mean  x̄ = (1/n) Σ xᵢ,   sample std  s = √( Σ (xᵢ − x̄)² / (n − 1) ),
 *   95% interval  x̄ ± t₀.₉₇₅(n − 1) · s / √n,
 *
 * the Student-t confidence interval for the mean of n independent runs (the t quantile, not
 * the normal 1.96, because s itself is estimated from few runs: t₀.₉₇₅(1) = 12.7 for 2 seeds,
 * 4.30 for 3, 2.26 for 10). It assumes the per-seed values are roughly normal; with 2–3 seeds
 * it is wide, and that width is the honest answer.
 */
import { checkArgs } from '../core/validate';
import { progress as makeProgress } from '../display/progress';
import { runSeedTaskInThreads, type SeedTaskExperiment } from './seedThreads';

/**
 * t₀.₉₇₅(ν) for ν = 1…30 degrees of freedom, from scipy.stats.t.ppf(0.975, ν) rounded to
 * 6 decimals (test/seeds.test.ts checks them against the t density numerically).
 */
const T975 = [
  12.706205, 4.302653, 3.182446, 2.776445, 2.570582, 2.446912, 2.364624, 2.306004, 2.262157, 2.228139, 2.200985,
  2.178813, 2.160369, 2.144787, 2.13145, 2.119905, 2.109816, 2.100922, 2.093024, 2.085963, 2.079614, 2.073873, 2.068658,
  2.063899, 2.059539, 2.055529, 2.051831, 2.048407, 2.04523, 2.042272,
];

/**
 * The 97.5% quantile of Student's t with `dof` degrees of freedom (the factor of a two-sided
 * 95% interval). ν ≤ 30: table above; ν > 30: Cornish–Fisher expansion around the normal
 * quantile z = 1.959964 (error < 1e-5 for ν > 30).
 */
export function studentT975(dof: number): number {
  checkArgs('studentT975').number('dof', dof, { integer: true, min: 1 });
  if (dof <= T975.length) return T975[dof - 1];
  const z = 1.959963985;
  const z3 = z ** 3,
    z5 = z ** 5,
    z7 = z ** 7;
  return (
    z +
    (z3 + z) / (4 * dof) +
    (5 * z5 + 16 * z3 + 3 * z) / (96 * dof ** 2) +
    (3 * z7 + 19 * z5 + 17 * z3 - 15 * z) / (384 * dof ** 3)
  );
}

/** Summary of one metric over seeds. `halfWidth` is NaN for a single value (no spread to estimate). */
export interface MetricSummary {
  n: number;
  mean: number;
  /** Sample standard deviation (n − 1 in the denominator). */
  std: number;
  /** t₀.₉₇₅(n − 1) · std / √n: the 95% interval is mean ± halfWidth. */
  halfWidth: number;
  low: number;
  high: number;
  /** The per-seed values, in seed order. */
  values: number[];
}

/** Mean, sample std and 95% Student-t interval of some values (see the module comment). */
export function summarize(values: readonly number[]): MetricSummary {
  const c = checkArgs('summarize');
  c.require(
    Array.isArray(values) && values.length > 0,
    `argument 'values' expected a non-empty array of numbers but ` +
      `got ${Array.isArray(values) ? 'an empty array' : typeof values}`,
  );
  values.forEach((v, i) => c.number(`values[${i}]`, v));
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : NaN;
  const halfWidth = n > 1 ? (studentT975(n - 1) * std) / Math.sqrt(n) : NaN;
  return { n, mean, std, halfWidth, low: mean - halfWidth, high: mean + halfWidth, values: [...values] };
}

/** `0.853 ± 0.021` (or `0.853` for one value), with `digits` decimals (default 3). */
export function formatInterval(s: MetricSummary, digits = 3): string {
  return Number.isNaN(s.halfWidth)
    ? s.mean.toFixed(digits)
    : `${s.mean.toFixed(digits)} ± ${s.halfWidth.toFixed(digits)}`;
}

export interface SeedRun<R> {
  seed: number;
  result: R;
}

export interface SeedsResult<R> {
  /** Every run, in the order of `seeds`. */
  runs: SeedRun<R>[];
  /** One summary per metric: every key whose value is a finite number in every run. */
  summary: Record<string, MetricSummary>;
}

/**
 * Runs `experiment(seed)` once per seed, one after the other (awaiting it when it returns a
 * promise), with a progress display, and summarises every numeric field of the results:
 *
 * ```ts
 * const { runs, summary } = await bp.runSeeds([0, 1, 2], (seed) => trainAndEvaluate(seed));
 * bp.formatInterval(summary.accuracy)   // '0.853 ± 0.021'
 * ```
 *
 * With `threads` > 1 and an experiment made by {@link seedTask} (a named library function, not
 * a closure), the seeds run side by side on that many worker threads — the same numbers, sooner.
 * Non-numeric fields (loss histories, models) stay in `runs` and are not summarised. A run
 * that throws stops the loop with the seed named.
 */
export async function runSeeds<R extends object>(
  seeds: readonly number[],
  experiment: ((seed: number) => R | Promise<R>) | SeedTaskExperiment<R>,
  opts: { label?: string; progress?: boolean; threads?: number } = {},
): Promise<SeedsResult<R>> {
  const c = checkArgs('runSeeds');
  c.require(
    Array.isArray(seeds) && seeds.length > 0,
    `argument 'seeds' expected a non-empty array of integers but ` +
      `got ${Array.isArray(seeds) ? 'an empty array' : typeof seeds}`,
  );
  seeds.forEach((s, i) => c.number(`seeds[${i}]`, s, { integer: true }));
  c.require(
    new Set(seeds).size === seeds.length,
    `argument 'seeds' has repeated seeds (${seeds.join(', ')}): each run must differ`,
  );
  c.require(
    typeof experiment === 'function',
    `argument 'experiment' expected a function (seed) => result but got ${typeof experiment}`,
  );
  const threads = opts.threads ?? 1;
  c.number('opts.threads', threads, { integer: true, min: 1 });
  const task = 'task' in experiment ? experiment.task : undefined;
  c.require(
    threads === 1 || task !== undefined,
    `argument 'opts.threads' is ${threads}, which needs an experiment made by bp.seedTask ` +
      `(a closure cannot cross into a worker thread) but got a plain function`,
  );
  const bar = opts.progress === false ? null : makeProgress({ total: seeds.length, label: opts.label ?? 'seeds' });
  const checked = (seed: number, result: unknown): R => {
    c.require(
      result !== null && typeof result === 'object',
      `the run with seed ${seed} returned ${result === null ? 'null' : typeof result}, expected an object of metrics`,
    );
    return result as R;
  };
  const runs: SeedRun<R>[] = [];
  if (threads > 1 && task) {
    const results = await runSeedTaskInThreads(seeds, task, threads, (finished) => bar?.update(finished));
    seeds.forEach((seed, i) => runs.push({ seed, result: checked(seed, results[i]) }));
  } else {
    for (const seed of seeds) {
      let result: R;
      try {
        result = await experiment(seed);
      } catch (e) {
        // Keep the error's own class (NonFiniteError, ShapeError, …) and name the seed in its message.
        if (e instanceof Error) {
          e.message = `runSeeds: the run with seed ${seed} failed: ${e.message}`;
          throw e;
        }
        throw new Error(`runSeeds: the run with seed ${seed} failed: ${String(e)}`);
      }
      runs.push({ seed, result: checked(seed, result) });
      bar?.update(runs.length);
    }
  }
  bar?.done();
  return { runs, summary: summarizeRuns(runs.map((r) => r.result)) };
}

/** Summaries of every key that holds a finite number in each of `results`. */
export function summarizeRuns(results: readonly object[]): Record<string, MetricSummary> {
  checkArgs('summarizeRuns').require(
    Array.isArray(results) && results.length > 0,
    "argument 'results' expected a non-empty array of objects",
  );
  const rows = results as readonly Record<string, unknown>[];
  const metrics = Object.keys(rows[0]).filter((k) =>
    rows.every((r) => typeof r[k] === 'number' && Number.isFinite(r[k])),
  );
  return Object.fromEntries(metrics.map((k) => [k, summarize(rows.map((r) => r[k] as number))]));
}
