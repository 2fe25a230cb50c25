/**
 * Student copies of notebooks with nbgrader cell metadata (schema version 3), so an
 * instructor who has nbgrader can use them too:
 *
 *   test cell      { grade: true,  solution: false, locked: true,  points, grade_id }   "autograder tests"
 *   solution cell  { grade: false, solution: true,  locked: false, grade_id }           "autograded answer"
 *                  (grade: true and points make it a manually graded answer)
 *
 * Solution cells are replaced by the TypeScript code stub
 *
 *   // YOUR CODE HERE
 *   throw new Error('TODO: <grade id> — see notebook NN, section K');
 *
 * (nbgrader's own `ClearSolutions.code_stub` for a `typescript` kernel can be set to the same
 * shape). Every output and execution count is cleared; cells keep their nbformat 4.5 ids.
 * `validateNbgrader` applies nbgrader's v3 rules (its JSON schema plus MetadataValidatorV3's
 * checks) so a release can be checked without nbgrader installed.
 */
import * as ts from 'typescript';
import { Cell, joinText, Notebook } from '../runner/nbformat';
import { CellSelector, NotebookCell } from './assignments';

export interface NbgraderMetadata {
  schema_version: 3;
  grade: boolean;
  solution: boolean;
  locked: boolean;
  task: boolean;
  grade_id: string;
  points?: number;
}

const CODE_STUB = (message: string): string => `// YOUR CODE HERE\nthrow new Error(${quote(`TODO: ${message}`)});`;

/**
 * The stub of a code solution cell. A cell made only of function declarations keeps each
 * declaration's comments and signature, its body replaced by the stub (so the next cells can
 * still call it by name); any other cell becomes the stub alone.
 */
export function stubCodeCell(source: string, message: string): string {
  const sf = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.ES2022, true);
  const fns = sf.statements.filter((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s));
  if (fns.length === 0 || fns.length !== sf.statements.length || fns.some((f) => !f.body || !f.name))
    return CODE_STUB(message);
  const body = CODE_STUB(message)
    .split('\n')
    .map((l) => `  ${l}`)
    .join('\n');
  return fns.map((f) => `${source.slice(f.getFullStart(), f.body!.getStart()).trim()} {\n${body}\n}`).join('\n\n');
}

/** The names of the functions a code solution cell declares (kept by {@link stubCodeCell}). */
export function declaredFunctions(source: string): string[] {
  const sf = ts.createSourceFile('cell.ts', source, ts.ScriptTarget.ES2022, true);
  return sf.statements.flatMap((s) => (ts.isFunctionDeclaration(s) && s.name ? [s.name.text] : []));
}
export const TEXT_STUB = 'YOUR ANSWER HERE';

function quote(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** Index of the one cell a selector picks: by id, else by a unique source substring. */
export function selectCell(nb: Notebook, sel: CellSelector, where: string): number {
  if (sel.id) {
    const byId = nb.cells.findIndex((c) => c.id === sel.id);
    if (byId >= 0) return byId;
  }
  if (sel.contains) {
    const hits = nb.cells
      .map((c, i) => (joinText(c.source).includes(sel.contains as string) ? i : -1))
      .filter((i) => i >= 0);
    if (hits.length === 1) return hits[0];
    throw new Error(
      `${where}: ${hits.length} cells contain ${JSON.stringify(sel.contains)} ` +
        `(need exactly one)${sel.id ? ` and no cell has id '${sel.id}'` : ''}`,
    );
  }
  throw new Error(`${where}: no cell has id '${sel.id}'`);
}

/** `## ` headings of the notebook's markdown cells, in order, and the index of the cell each one is in. */
export function sections(nb: Notebook): { title: string; cell: number }[] {
  const out: { title: string; cell: number }[] = [];
  nb.cells.forEach((c, i) => {
    if (c.cell_type !== 'markdown') return;
    for (const line of joinText(c.source).split('\n'))
      if (/^## /.test(line)) out.push({ title: line.slice(3).trim(), cell: i });
  });
  return out;
}

/** 1-based number of the `## ` section whose title contains `title`, or of the section holding cell `cell`. */
export function sectionNumber(nb: Notebook, where: string, by: { title?: string; cell?: number }): number | null {
  const list = sections(nb);
  if (by.title !== undefined) {
    const k = list.findIndex((s) => s.title.includes(by.title as string));
    if (k < 0)
      throw new Error(
        `${where}: no '## ' heading contains ${JSON.stringify(by.title)} ` +
          `(have: ${list.map((s) => s.title).join(' | ')})`,
      );
    return k + 1;
  }
  if (by.cell !== undefined) {
    const before = list.filter((s) => s.cell <= (by.cell as number));
    return before.length > 0 ? before.length : null;
  }
  return null;
}

export function metadataFor(cell: NotebookCell, cellType: Cell['cell_type']): NbgraderMetadata {
  const graded = cell.role === 'test' || (cell.points !== undefined && cell.points > 0) || cellType === 'markdown';
  const meta: NbgraderMetadata = {
    schema_version: 3,
    grade: graded,
    solution: cell.role === 'solution',
    locked: cell.role === 'test',
    task: false,
    grade_id: cell.gradeId,
  };
  if (graded) meta.points = cell.points ?? 0;
  return meta;
}

/**
 * The student copy: outputs cleared, configured cells given nbgrader metadata, solution cells
 * stubbed. With `stub = false` it is the instructor's nbgrader *source* version instead: a
 * code solution cell keeps its code between `// BEGIN SOLUTION` / `// END SOLUTION`, which
 * nbgrader's own `generate_assignment` replaces by its configured code stub.
 */
export function studentNotebook(
  nb: Notebook,
  cells: NotebookCell[],
  where: string,
  messageFor: (cell: NotebookCell, index: number) => string,
  stub = true,
): Notebook {
  const copy = JSON.parse(JSON.stringify(nb)) as Notebook;
  for (const c of copy.cells) {
    if (c.cell_type === 'code') {
      c.outputs = [];
      c.execution_count = null;
    }
  }
  for (const cell of cells) {
    const i = selectCell(copy, cell.select, `${where} ${cell.gradeId}`);
    const target = copy.cells[i];
    target.metadata = { ...target.metadata, nbgrader: metadataFor(cell, target.cell_type) };
    if (cell.role !== 'solution' || (target.cell_type !== 'code' && !stub)) continue;
    if (stub)
      target.source =
        target.cell_type === 'code' ? stubCodeCell(joinText(target.source), messageFor(cell, i)) : TEXT_STUB;
    else target.source = `// BEGIN SOLUTION\n${joinText(target.source).replace(/\n$/, '')}\n// END SOLUTION`;
  }
  return copy;
}

const ALLOWED_KEYS = new Set([
  'schema_version',
  'grade',
  'locked',
  'solution',
  'task',
  'grade_id',
  'points',
  'checksum',
  'cell_type',
]);

/** nbgrader v3 metadata rules; returns the problems found (empty when valid). */
export function validateNbgrader(nb: Notebook): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  if (nb.nbformat !== 4 || nb.nbformat_minor < 5)
    problems.push(`nbformat ${nb.nbformat}.${nb.nbformat_minor}: cell ids need 4.5`);
  nb.cells.forEach((cell, i) => {
    if (typeof cell.id !== 'string' || !/^[a-zA-Z0-9-_]{1,64}$/.test(cell.id))
      problems.push(`cell ${i}: missing or invalid nbformat 4.5 id`);
    const meta = cell.metadata?.nbgrader as Record<string, unknown> | undefined;
    if (meta === undefined) return;
    const at = `cell ${i} (${String(meta.grade_id ?? 'no grade_id')})`;
    for (const k of Object.keys(meta)) if (!ALLOWED_KEYS.has(k)) problems.push(`${at}: unknown key '${k}'`);
    if (meta.schema_version !== 3) problems.push(`${at}: schema_version must be 3`);
    for (const k of ['grade', 'locked', 'solution'])
      if (typeof meta[k] !== 'boolean') problems.push(`${at}: '${k}' must be a boolean`);
    if (meta.task !== undefined && typeof meta.task !== 'boolean') problems.push(`${at}: 'task' must be a boolean`);
    const { grade, solution, locked, task } = meta as {
      grade: boolean;
      solution: boolean;
      locked: boolean;
      task?: boolean;
    };
    if (meta.grade_id !== undefined && (typeof meta.grade_id !== 'string' || !/^[a-zA-Z0-9_-]*$/.test(meta.grade_id)))
      problems.push(`${at}: invalid grade_id`);
    if (meta.points !== undefined && !(typeof meta.points === 'number' && meta.points >= 0))
      problems.push(`${at}: points must be a number ≥ 0`);
    if (grade || solution || locked) {
      if (!meta.grade_id) problems.push(`${at}: a grade, solution or locked cell needs a non-empty grade_id`);
      else if (seen.has(meta.grade_id as string)) problems.push(`${at}: duplicate grade_id`);
      else seen.add(meta.grade_id as string);
    }
    if (grade && meta.points === undefined) problems.push(`${at}: a grade cell needs points`);
    if (!task && cell.cell_type === 'markdown' && grade !== solution)
      problems.push(`${at}: a markdown answer must be both grade and solution`);
    if (task && cell.cell_type !== 'markdown') problems.push(`${at}: task cells must be markdown`);
  });
  return problems;
}
