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

export function readNotebook(file: string): Notebook {
  let nb: Notebook;
  try {
    nb = JSON.parse(fs.readFileSync(file, 'utf8')) as Notebook;
  } catch (e) {
    throw new Error(`${file} is not a readable notebook: ${(e as Error).message}`);
  }
  if (nb.nbformat !== 4 || !Array.isArray(nb.cells)) {
    throw new Error(`${file} is not an nbformat 4 notebook (nbformat=${String(nb.nbformat)})`);
  }
  return nb;
}

/** Writes atomically (temp file + rename) so a reader never sees half a notebook. */
export function writeNotebook(file: string, nb: Notebook): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(nb, null, 1) + '\n');
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
