/**
 * Every results table a notebook shows is also written as CSV to
 * `out/tables/<notebook>/<name>.csv` under the project root, so a figure's numbers can be
 * reused without rerunning the notebook. The project root is found from this module's own
 * location (not the working directory: a notebook kernel runs in notebooks/).
 */
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../core/projectRoot';
import { checkArgs } from '../core/validate';
import { showTable, type TableRow } from '../display/table';
import { danfo, toDataFrame, type DataFrame } from './dataFrames';

/** `<project root>/out/<...parts>` (e.g. `outPath('checkpoints', 'm.json')`); creates no folders. */
export function outPath(...parts: string[]): string {
  return path.join(projectRoot(), 'out', ...parts);
}

const SAFE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Writes a table (rows of objects or a DataFrame) as CSV to `out/tables/<notebook>/<name>.csv`
 * (or under `opts.dir`) and returns the file's path. Names are plain file names
 * (letters, digits, `.`, `_`, `-`).
 */
export function saveTableCsv(
  table: readonly TableRow[] | DataFrame,
  where: { notebook: string; name: string; dir?: string },
): string {
  const c = checkArgs('saveTableCsv');
  c.require(
    typeof where?.notebook === 'string' && SAFE_NAME.test(where.notebook),
    `argument 'notebook' expected a plain file name like '02_lstm' but got ${JSON.stringify(where?.notebook)}`,
  );
  c.require(
    typeof where.name === 'string' && SAFE_NAME.test(where.name),
    `argument 'name' expected a plain file name like 'adding_problem' but got ${JSON.stringify(where.name)}`,
  );
  const df = Array.isArray(table) ? toDataFrame(table as TableRow[]) : (table as DataFrame);
  c.require(Array.isArray(df?.columns), `argument 'table' expected rows (object[]) or a danfojs DataFrame`);
  const dir = where.dir ?? outPath('tables', where.notebook);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${where.name}.csv`);
  fs.writeFileSync(file, danfo().toCSV(df) as string);
  return file;
}

/**
 * Saves a table as CSV (`saveTableCsv`) and shows it (`showTable`) with a link to the CSV, named
 * relative to the project root (a machine path only when `dir` lies outside the project).
 */
export function showResultsTable(
  table: readonly TableRow[] | DataFrame,
  opts: { notebook: string; name: string; caption?: string; digits?: number; dir?: string },
): void {
  const file = saveTableCsv(table, opts);
  const relative = path.relative(projectRoot(), file);
  const csv = relative.startsWith('..') || path.isAbsolute(relative) ? file : relative.split(path.sep).join('/');
  showTable(table as unknown as Parameters<typeof showTable>[0], { caption: opts.caption, digits: opts.digits, csv });
}
