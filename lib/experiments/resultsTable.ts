/**
 * Result tables over seeds: per-seed rows (one per model × seed) → a danfojs DataFrame →
 * one row per group with n, mean, sample std and the half-width of the 95% Student-t
 * interval of every metric (see ./seeds.ts for the interval).
 *
 * ```ts
 * const rows = [{ model: 'rnn', seed: 0, acc: 0.61 }, { model: 'lstm', seed: 0, acc: 0.93 }, …];
 * const table = bp.seedSummaryTable(rows, { by: ['model'], metrics: ['acc'] });
 * bp.showResultsTable(table, { notebook: '02_lstm', name: 'adding_problem' });
 * // model  n  acc mean  acc std  acc ±95%
 * ```
 */
import { checkArgs } from '../core/validate';
import { studentT975, type SeedRun } from './seeds';
import { toDataFrame, type DataFrame } from './dataFrames';

/**
 * Per-seed rows from `runSeeds` runs: `{ ...labels, seed, <metric>: value … }` with the
 * numeric fields of each result (non-numeric fields such as histories are left out).
 */
export function seedRows(
  runs: readonly SeedRun<object>[],
  labels: Record<string, string | number> = {},
): Record<string, unknown>[] {
  checkArgs('seedRows').require(
    Array.isArray(runs),
    `argument 'runs' expected the runs of runSeeds but got ${typeof runs}`,
  );
  return runs.map(({ seed, result }) => ({
    ...labels,
    seed,
    ...Object.fromEntries(Object.entries(result).filter(([, v]) => typeof v === 'number')),
  }));
}

/**
 * Groups per-seed rows by the `by` columns (in order of first appearance) and gives, per
 * metric m, the columns `m mean`, `m std` (sample, n − 1) and `m ±95%` (t₀.₉₇₅(n − 1)·std/√n;
 * NaN for n = 1), after a column `n` (runs in the group). Metrics default to every numeric
 * column except `by` and `seed`.
 */
export function seedSummaryTable(
  rows: readonly Record<string, unknown>[],
  opts: { by: string[]; metrics?: string[] },
): DataFrame {
  const c = checkArgs('seedSummaryTable');
  const df = toDataFrame(rows);
  c.require(Array.isArray(opts?.by) && opts.by.length > 0, "argument 'by' expected a non-empty list of column names");
  for (const col of opts.by)
    c.require(
      df.columns.includes(col),
      `argument 'by' names column '${col}', which the rows lack (columns: ${df.columns.join(', ')})`,
    );
  const metrics =
    opts.metrics ??
    df.columns.filter(
      (col) => !opts.by.includes(col) && col !== 'seed' && rows.every((r) => typeof r[col] === 'number'),
    );
  c.require(metrics.length > 0, 'no numeric metric columns to summarise');
  for (const m of metrics) {
    c.require(
      df.columns.includes(m),
      `argument 'metrics' names column '${m}', which the rows lack (columns: ${df.columns.join(', ')})`,
    );
    c.require(
      rows.every((r) => typeof r[m] === 'number'),
      `column '${m}' must hold numbers in every row`,
    );
  }
  const agg = df.groupby(opts.by).agg(Object.fromEntries(metrics.map((m) => [m, ['mean', 'std', 'count']])));
  const groups = agg.values as unknown[][];
  const at = (row: unknown[], col: string): unknown => row[agg.columns.indexOf(col)];
  const out = groups.map((row) => {
    const n = at(row, `${metrics[0]}_count`) as number;
    const t = n > 1 ? studentT975(n - 1) : NaN;
    const cells: Record<string, unknown> = Object.fromEntries(opts.by.map((b) => [b, at(row, b)]));
    cells.n = n;
    for (const m of metrics) {
      const std = n > 1 ? (at(row, `${m}_std`) as number) : NaN;
      cells[`${m} mean`] = at(row, `${m}_mean`);
      cells[`${m} std`] = std;
      cells[`${m} ±95%`] = (t * std) / Math.sqrt(n);
    }
    return cells;
  });
  return toDataFrame(out);
}
