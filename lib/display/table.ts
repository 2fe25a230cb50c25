/**
 * Tables in notebooks: rows of objects, or a danfojs DataFrame, shown as an HTML table with
 * an aligned plain-text table for text-only front ends.
 */
import { checkArgs } from '../core/validate';
import { escapeHtml } from './figurePage';
import { sendDisplay } from './kernel';

export type TableRow = Record<string, unknown>;

/** The duck type of a danfojs DataFrame that we read (so danfojs need not be loaded here). */
interface DataFrameLike {
  columns: string[];
  values: unknown[][];
}

function isDataFrame(value: unknown): value is DataFrameLike {
  return (
    value !== null &&
    typeof value === 'object' &&
    Array.isArray((value as DataFrameLike).columns) &&
    Array.isArray((value as DataFrameLike).values)
  );
}

/** Rows (objects keyed by column) from an array of rows or a danfojs DataFrame. */
export function tableRows(table: TableRow[] | DataFrameLike): { columns: string[]; rows: TableRow[] } {
  if (isDataFrame(table)) {
    return {
      columns: table.columns,
      rows: table.values.map((vals) => Object.fromEntries(table.columns.map((c, i) => [c, vals[i]]))),
    };
  }
  checkArgs('showTable').require(
    Array.isArray(table),
    `argument 'table' expected rows (object[]) or a danfojs DataFrame but got ${typeof table}`,
  );
  const columns: string[] = [];
  for (const row of table) for (const key of Object.keys(row)) if (!columns.includes(key)) columns.push(key);
  return { columns, rows: table };
}

function formatCell(value: unknown, digits: number): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value)) return String(value);
    if (!Number.isFinite(value)) return String(value);
    const abs = Math.abs(value);
    return abs !== 0 && (abs < 10 ** -digits || abs >= 1e6)
      ? value.toExponential(Math.max(1, digits - 1))
      : value.toFixed(digits);
  }
  return value === undefined || value === null ? '' : String(value);
}

/** What a table can say besides its cells: a caption, the decimals, and where its CSV copy is. */
export interface TableOptions {
  caption?: string;
  digits?: number;
  /**
   * The table's CSV file, relative to the project root (`out/tables/<notebook>/<name>.csv`): linked
   * under the HTML table (from the notebooks folder; the book rewrites the link to its own place)
   * and named in the text.
   */
  csv?: string;
}

/** HTML and aligned plain text for a table. */
export function renderTable(
  table: TableRow[] | DataFrameLike,
  opts: TableOptions = {},
): { html: string; text: string } {
  const { columns, rows } = tableRows(table);
  const digits = opts.digits ?? 3;
  const cells = rows.map((r) => columns.map((c) => formatCell(r[c], digits)));
  const numeric = columns.map((c) => rows.every((r) => typeof r[c] === 'number' || r[c] === undefined));
  const widths = columns.map((c, j) => Math.max(c.length, ...cells.map((row) => row[j].length)));
  const pad = (s: string, j: number): string => (numeric[j] ? s.padStart(widths[j]) : s.padEnd(widths[j]));
  const text = [
    ...(opts.caption ? [opts.caption] : []),
    columns.map((c, j) => pad(c, j)).join('  '),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...cells.map((row) => row.map((s, j) => pad(s, j)).join('  ')),
    ...(opts.csv ? [`CSV: ${opts.csv}`] : []),
  ].join('\n');
  const align = (j: number): string => (numeric[j] ? ' style="text-align:right"' : '');
  const bodyRows = cells.map((row) => `<tr>${row.map((s, j) => `<td${align(j)}>${escapeHtml(s)}</td>`).join('')}</tr>`);
  const html =
    `<table class="backprop-table" style="border-collapse:collapse">` +
    (opts.caption
      ? `<caption style="caption-side:top;font-weight:600;text-align:left">${escapeHtml(opts.caption)}</caption>`
      : '') +
    `<thead><tr>${columns.map((c, j) => `<th${align(j)}>${escapeHtml(c)}</th>`).join('')}</tr></thead>` +
    `<tbody>${bodyRows.join('')}</tbody></table>` +
    (opts.csv
      ? `<p class="table-csv" style="font-size:0.85em;margin:0.2em 0"><a href="../${escapeHtml(opts.csv)}" ` +
        `data-csv="${escapeHtml(opts.csv)}">CSV</a></p>`
      : '');
  return { html, text };
}

/** Shows a table (rows of objects, or a danfojs DataFrame) in the notebook. */
export function showTable(table: TableRow[] | DataFrameLike, opts: TableOptions = {}): void {
  const { html, text } = renderTable(table, opts);
  if (!sendDisplay({ 'text/html': html, 'text/plain': text })) console.log(text);
}
