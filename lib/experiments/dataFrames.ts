/**
 * danfojs DataFrames for summaries and result tables: the one place the library loads
 * danfojs-node and works around what does not fit our use.
 *
 * - danfojs-node takes seconds to load (it pulls in its own tfjs entry point), so it is
 *   required on first use, not when `backprop-lab` is imported.
 * - Under the wasm backend, danfojs's grouping, aggregation and CSV export work; what we work
 *   around is not wasm-specific: `describe()` (like every result with a row index) keeps the
 *   row labels (count, mean, std…) in `index`, which `values`, `showTable` and `toCSV` drop,
 *   so {@link withIndexColumn} turns the index into an ordinary first column.
 */
import type * as Danfo from 'danfojs-node';
import { checkArgs } from '../core/validate';

export type DataFrame = Danfo.DataFrame;
let loaded: typeof Danfo | undefined;

/** The danfojs-node module (loaded on first call). */
export function danfo(): typeof Danfo {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  loaded ??= require('danfojs-node') as typeof Danfo;
  return loaded;
}

/** A DataFrame from rows of objects (every row must have the same keys). */
export function toDataFrame(rows: readonly Record<string, unknown>[]): DataFrame {
  const c = checkArgs('toDataFrame');
  c.require(
    Array.isArray(rows) && rows.length > 0,
    `argument 'rows' expected a non-empty array of objects but ` +
      `got ${Array.isArray(rows) ? 'an empty array' : typeof rows}`,
  );
  const keys = Object.keys(rows[0]);
  rows.forEach((r, i) => {
    const k = Object.keys(r ?? {});
    c.require(
      k.length === keys.length && k.every((x) => keys.includes(x)),
      `rows[${i}] has keys [${k.join(', ')}], expected the keys of rows[0]: [${keys.join(', ')}]`,
    );
  });
  const { DataFrame } = danfo();
  return new DataFrame(rows.map((r) => ({ ...r })));
}

/** The row labels of `df` as its first column `name` (danfojs keeps them apart from `values`). */
export function withIndexColumn(df: DataFrame, name: string): DataFrame {
  const { DataFrame } = danfo();
  const rows = df.values.map((vals, i) => ({
    [name]: df.index[i],
    ...Object.fromEntries(df.columns.map((col, j) => [col, (vals as unknown[])[j]])),
  }));
  return new DataFrame(rows);
}
