/**
 * The slice of nbformat 4 the runner reads and writes: notebooks, code cells and their
 * outputs, plus reading/writing `.ipynb` files.
 */
import * as fs from 'fs';
import * as path from 'path';

export type MultilineString = string | string[];
/** MIME type → value: text as a string (or lines), JSON MIME types as any JSON, binary as base64. */
export type MimeBundle = Record<string, unknown>;

export interface StreamOutput {
  output_type: 'stream';
  name: 'stdout' | 'stderr';
  text: MultilineString;
}
export interface DisplayDataOutput {
  output_type: 'display_data';
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export interface ExecuteResultOutput {
  output_type: 'execute_result';
  execution_count: number | null;
  data: MimeBundle;
  metadata: Record<string, unknown>;
}
export interface ErrorOutput {
  output_type: 'error';
  ename: string;
  evalue: string;
  traceback: string[];
}
export type Output = StreamOutput | DisplayDataOutput | ExecuteResultOutput | ErrorOutput;

export interface Cell {
  id?: string;
  cell_type: 'code' | 'markdown' | 'raw';
  source: MultilineString;
  metadata: Record<string, unknown>;
  execution_count?: number | null;
  outputs?: Output[];
  attachments?: unknown;
}

export interface Notebook {
  nbformat: number;
  nbformat_minor: number;
  metadata: Record<string, unknown>;
  cells: Cell[];
}

/** A multiline string as one string. */
export function joinText(text: MultilineString | undefined): string {
  if (text === undefined) return '';
  return Array.isArray(text) ? text.join('') : text;
}

/** A notebook file that cannot be run: not JSON, or not the nbformat 4 structure the runner reads. */
export class NotebookFormatError extends Error {
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
    this.name = 'NotebookFormatError';
  }
}

/** `null`, `array`, `number`… for messages about a JSON value of the wrong type. */
const jsonType = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

const isText = (v: unknown): v is MultilineString =>
  typeof v === 'string' || (Array.isArray(v) && v.every((l) => typeof l === 'string'));

/** What is wrong with a parsed notebook's structure, or null when the runner can read it. */
function structureProblem(nb: unknown): string | null {
  if (typeof nb !== 'object' || nb === null || Array.isArray(nb)) {
    return `the top level must be a JSON object, got ${jsonType(nb)}`;
  }
  const { nbformat, cells, metadata } = nb as Record<string, unknown>;
  if (nbformat !== 4) return `not an nbformat 4 notebook (nbformat=${String(nbformat)})`;
  if (!Array.isArray(cells)) return `no \`cells\` array (got ${jsonType(cells)})`;
  if (metadata !== undefined && jsonType(metadata) !== 'object') {
    return `metadata must be an object, got ${jsonType(metadata)}`;
  }
  if (cells.length === 0) return 'no cells';
  for (const [i, cell] of cells.entries()) {
    const where = `cell ${i + 1}`;
    if (jsonType(cell) !== 'object') return `${where}: must be an object, got ${jsonType(cell)}`;
    const { cell_type, source } = cell as Record<string, unknown>;
    if (cell_type !== 'code' && cell_type !== 'markdown' && cell_type !== 'raw') {
      return `${where}: cell_type must be 'code', 'markdown' or 'raw', got ${JSON.stringify(cell_type) ?? 'nothing'}`;
    }
    if (!isText(source)) {
      const got = Array.isArray(source) ? 'a list holding a non-string' : jsonType(source);
      return `${where}: source must be a string or a list of strings, got ${got}`;
    }
  }
  return null;
}

/**
 * Reads and checks a notebook; a file that is not JSON or not the nbformat 4 structure (cells, each with a
 * cell_type and a string or list-of-strings source) throws a NotebookFormatError naming the file and the problem.
 * Cells are numbered from 1 among all cells, as a notebook editor shows them.
 */
export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new NotebookFormatError(file, `cannot be read: ${(e as Error).message}`);
  }
  let nb: unknown;
  try {
    nb = JSON.parse(text);
  } catch (e) {
    throw new NotebookFormatError(file, `not JSON: ${(e as Error).message}`);
  }
  const problem = structureProblem(nb);
  if (problem) throw new NotebookFormatError(file, problem);
  const checked = nb as Notebook;
  checked.metadata ??= {};
  return checked;
}

/**
 * The notebook as JSON laid out like Jupyter's (one space of indent), except that output values
 * that are JSON rather than text (a plotly figure's data) stay on one line: indented, every
 * number of a figure takes a line of its own, which made an executed notebook 5× larger.
 */
export function notebookJson(nb: Notebook): string {
  const compact: string[] = [];
  const placeholder = (k: number): string => `\u0000compact:${k}\u0000`;
  const copy = JSON.parse(JSON.stringify(nb)) as Notebook;
  for (const cell of copy.cells)
    for (const out of (cell as { outputs?: { data?: Record<string, unknown> }[] }).outputs ?? [])
      for (const [mime, value] of Object.entries(out.data ?? {}))
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
          compact.push(JSON.stringify(value));
          out.data![mime] = placeholder(compact.length - 1);
        }
  return (
    JSON.stringify(copy, null, 1).replace(/"\\u0000compact:(\d+)\\u0000"/g, (_, k: string) => compact[Number(k)]) + '\n'
  );
}

/** Writes atomically (temp file + rename) so a reader never sees half a notebook. */
export function writeNotebook(file: string, nb: Notebook): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, notebookJson(nb));
  fs.renameSync(tmp, file);
}

/** The code cells that a kernel runs (blank cells are skipped, as nbclient does). */
export function runnableCells(nb: Notebook): number[] {
  const idx: number[] = [];
  nb.cells.forEach((c, i) => {
    if (c.cell_type === 'code' && joinText(c.source).trim() !== '') idx.push(i);
  });
  return idx;
}

/** The first non-blank line of a cell's source, for messages. */
export function firstLine(cell: Cell): string {
  return (
    joinText(cell.source)
      .split('\n')
      .find((l) => l.trim() !== '')
      ?.trim() ?? ''
  );
}

/** A copy with every code cell's outputs and execution count cleared. */
export function clearOutputs(nb: Notebook): Notebook {
  const copy = JSON.parse(JSON.stringify(nb)) as Notebook;
  for (const c of copy.cells) {
    if (c.cell_type !== 'code') continue;
    c.outputs = [];
    c.execution_count = null;
  }
  return copy;
}

/** Every display bundle of the notebook, in order, with the cell it belongs to. */
export function displayBundles(nb: Notebook): { cellIndex: number; output: DisplayDataOutput | ExecuteResultOutput }[] {
  const found: { cellIndex: number; output: DisplayDataOutput | ExecuteResultOutput }[] = [];
  nb.cells.forEach((c, cellIndex) => {
    for (const o of c.outputs ?? []) {
      if (o.output_type === 'display_data' || o.output_type === 'execute_result') found.push({ cellIndex, output: o });
    }
  });
  return found;
}
