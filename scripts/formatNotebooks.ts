/**
 * `node dist/scripts/formatNotebooks.js [--check] [--dir DIR] [NOTEBOOK...]`
 * (`npm run format` / `npm run format:check` run it on notebooks/)
 *
 * Formats the code cells of the notebooks (every DIR/*.ipynb, default notebooks/, or the
 * NOTEBOOK files given) with prettier: parser 'typescript' (tslab cells are TypeScript with
 * top-level await) and the options prettier.resolveConfig finds for the notebook — the
 * project's .prettierrc.json. Only code cells' `source` changes; markdown, outputs and metadata
 * stay as they are. Cell sources here do not end with a newline, so the one prettier adds is
 * dropped (a source that did end with one keeps it), and a source stored as a list of lines
 * stays a list of lines. A notebook is written only when one of its cells changed, the way
 * the runner writes notebooks (scripts/runner/nbformat.ts: JSON with a 1-space indent, keys in
 * their order, non-ASCII as is, a final newline), so an unchanged notebook stays byte-identical.
 *
 * --check writes nothing and lists each unformatted cell as `<notebook>: cell K (`first line`)`,
 * K counting code cells from 1 as the runner does. Exit code 0: all formatted (or written);
 * 1: --check found unformatted cells; 2: bad arguments, or a cell prettier cannot parse (named
 * the same way; that notebook is left unwritten).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as prettier from 'prettier';
import { parseCommandLine, UsageError } from './cliArgs';
import { firstLine, joinText, MultilineString, Notebook, readNotebook, runnableCells } from './runner/nbformat';

const USAGE = `usage: formatNotebooks [--check] [--dir DIR] [NOTEBOOK...]
  --check     list unformatted cells and exit with 1 instead of writing
  --dir DIR   format every DIR/*.ipynb (default: notebooks) when no NOTEBOOK is given`;

/** How the repo's notebooks are written (the runner's writeNotebook). */
export const serializeNotebook = (nb: Notebook): string => JSON.stringify(nb, null, 1) + '\n';

/** A cell that is not formatted, or that prettier cannot parse (`error` set). */
export interface CellReport {
  notebook: string;
  /** 1-based among the notebook's code cells that run (as in the runner's messages). */
  cell: number;
  /** Index in the notebook's `cells` array. */
  cellIndex: number;
  firstLine: string;
  error?: string;
}

export interface NotebookResult {
  file: string;
  /** Unformatted cells (formatted in the written notebook unless `check`). */
  unformatted: CellReport[];
  /** Cells prettier cannot parse; the notebook is then not written. */
  errors: CellReport[];
  written: boolean;
}

/** `text` as nbformat stores a multiline string: lines that keep their '\n' (none for ''). */
export function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

/** Prettier passes at most per cell: its output is not always stable after one (see formatCellSource). */
const MAX_PASSES = 3;

/**
 * The cell source formatted by prettier, keeping whether it ended with a newline. Prettier is
 * run again on its own output until that no longer changes: one pass can expand an object
 * literal that the next pass (objectWrap 'preserve' then keeps it expanded) lays out differently,
 * and --check must agree with what writing leaves.
 */
export async function formatCellSource(source: string, options: prettier.Options): Promise<string> {
  let formatted = source;
  for (let pass = 0; pass < MAX_PASSES; pass++) {
    const next = await prettier.format(formatted, { ...options, parser: 'typescript' });
    if (next === formatted) break;
    formatted = next;
  }
  return source.endsWith('\n') || formatted === '' ? formatted : formatted.replace(/\n$/, '');
}

/** The prettier options for `notebook`'s cells: its resolved configuration, which must exist. */
export async function notebookOptions(notebook: string): Promise<prettier.Options> {
  const config = await prettier.resolveConfig(notebook, { editorconfig: true });
  if (!config) throw new Error(`no prettier configuration applies to ${notebook} (the project has .prettierrc.json)`);
  return config;
}

const firstLineOfMessage = (e: unknown): string => (e instanceof Error ? e.message : String(e)).split('\n')[0];

/** Formats (or with `check`, only inspects) the code cells of one notebook. */
export async function formatNotebook(file: string, { check = false } = {}): Promise<NotebookResult> {
  const raw = fs.readFileSync(file, 'utf8');
  const nb = readNotebook(file);
  const options = await notebookOptions(file);
  const result: NotebookResult = { file, unformatted: [], errors: [], written: false };
  const cells = runnableCells(nb);
  for (let k = 0; k < cells.length; k++) {
    const cell = nb.cells[cells[k]];
    const source = joinText(cell.source);
    const report: CellReport = { notebook: file, cell: k + 1, cellIndex: cells[k], firstLine: firstLine(cell) };
    let formatted: string;
    try {
      formatted = await formatCellSource(source, options);
    } catch (e) {
      result.errors.push({ ...report, error: firstLineOfMessage(e) });
      continue;
    }
    if (formatted === source) continue;
    result.unformatted.push(report);
    cell.source = (Array.isArray(cell.source) ? splitLines(formatted) : formatted) as MultilineString;
  }
  if (check || result.errors.length > 0 || result.unformatted.length === 0) return result;
  const text = serializeNotebook(nb);
  if (text !== raw) {
    const tmp = `${file}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, text);
    fs.renameSync(tmp, file);
    result.written = true;
  }
  return result;
}

/** The notebooks a command line names: the files given, else every DIR/*.ipynb in filename order. */
export function notebookFiles(dir: string, files: string[]): string[] {
  if (files.length > 0) return files.map((f) => path.resolve(f));
  if (!fs.existsSync(dir)) throw new UsageError(`formatNotebooks: notebook directory ${dir} does not exist`);
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.'))
    .sort()
    .map((f) => path.join(dir, f));
}

export const describeCell = (r: CellReport): string => `${r.notebook}: cell ${r.cell} (\`${r.firstLine}\`)`;

/** The whole command: messages through `say`/`complain`, the exit code returned. */
export async function main(
  argv: string[],
  say: (line: string) => void = console.log,
  complain: (line: string) => void = console.error,
): Promise<number> {
  let files: string[];
  let check: boolean;
  try {
    const { values, positionals } = parseCommandLine(
      'formatNotebooks',
      argv,
      {
        check: { type: 'boolean' },
        dir: { type: 'string', default: 'notebooks', expects: 'a directory' },
        help: { type: 'boolean', short: 'h' },
      },
      { allowPositionals: true },
    );
    if (values.help) {
      say(USAGE);
      return 0;
    }
    check = values.check;
    files = notebookFiles(path.resolve(values.dir), positionals);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    complain(`${e.message}\n${USAGE}`);
    return 2;
  }
  const rel = (f: string): string => path.relative(process.cwd(), f) || f;
  let unformatted = 0;
  let failed = false;
  for (const file of files) {
    const r = await formatNotebook(file, { check });
    for (const e of r.errors) {
      failed = true;
      complain(`formatNotebooks: ${describeCell({ ...e, notebook: rel(e.notebook) })} cannot be parsed: ${e.error}`);
    }
    for (const u of r.unformatted) {
      unformatted++;
      if (check) say(describeCell({ ...u, notebook: rel(u.notebook) }));
    }
    if (r.written) say(`formatted ${r.unformatted.length} cell(s) of ${rel(file)}`);
  }
  if (check && unformatted > 0) {
    say(`formatNotebooks: ${unformatted} cell(s) not formatted; run 'npm run format' to fix them`);
  }
  if (failed) return 2;
  return check && unformatted > 0 ? 1 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      console.error(`formatNotebooks: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      process.exitCode = 2;
    },
  );
}
