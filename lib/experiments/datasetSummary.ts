/**
 * Dataset summaries with danfojs: how many examples per class / colour / split, and the
 * usual statistics of numeric columns. Rows are plain records, one per example, e.g.
 * `{ split: 'train', item: 'shirt', colour: 'red' }`.
 */
import { checkArgs } from '../core/validate';
import { toDataFrame, withIndexColumn, type DataFrame } from './dataFrames';

/** Number of rows per combination of the `by` columns (column `count`), in order of first appearance. */
export function countBy(rows: readonly Record<string, unknown>[], by: string[]): DataFrame {
  const c = checkArgs('countBy');
  const df = toDataFrame(rows);
  c.require(Array.isArray(by) && by.length > 0, "argument 'by' expected a non-empty list of column names");
  for (const col of by)
    c.require(
      df.columns.includes(col),
      `argument 'by' names column '${col}', which the rows lack (columns: ${df.columns.join(', ')})`,
    );
  // Count a constant column, so that every `by` column can be a grouping key.
  const withOne = toDataFrame(rows.map((r) => ({ ...Object.fromEntries(by.map((b) => [b, r[b]])), __one: 1 })));
  const counts = withOne.groupby(by).col(['__one']).count();
  return toDataFrame(
    (counts.values as unknown[][]).map((row) => ({
      ...Object.fromEntries(by.map((b) => [b, row[counts.columns.indexOf(b)]])),
      count: row[counts.columns.indexOf('__one_count')],
    })),
  );
}

/**
 * count, mean, std, min, median, max and variance of the numeric `columns` (default: every
 * numeric column), one row per statistic with its name in the column `statistic`.
 */
export function describeColumns(rows: readonly Record<string, unknown>[], columns?: string[]): DataFrame {
  const c = checkArgs('describeColumns');
  const df = toDataFrame(rows);
  const cols = columns ?? df.columns.filter((col) => rows.every((r) => typeof r[col] === 'number'));
  c.require(cols.length > 0, 'no numeric columns to describe');
  for (const col of cols)
    c.require(
      rows.every((r) => typeof r[col] === 'number'),
      `column '${col}' must hold numbers in every row`,
    );
  return withIndexColumn(df.loc({ columns: cols }).describe(), 'statistic');
}
