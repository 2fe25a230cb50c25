/**
 * coursework/assignments.json: the one source of truth for releases and grading (format in
 * README.md, "For instructors"). Loading it checks its structure and cross-references:
 * every listed function has a solution region in lib/, every item covers listed functions,
 * every notebook and section named exists, grade ids are unique and nbgrader-valid.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Region } from './markers';

export interface CellSelector {
  /** The nbformat 4.5 cell id. */
  id?: string;
  /** A source substring that occurs in exactly one cell (used when no cell has `id`). */
  contains?: string;
}

export interface NotebookCell {
  select: CellSelector;
  /**
   * `test`: an autograded test cell (locked, with points); `solution`: the student writes it (stubbed in the release).
   */
  role: 'test' | 'solution';
  gradeId: string;
  points?: number;
}

export interface FunctionSpec {
  /** Top-level declaration holding the region (`rnnForward`), or `Class.member`. */
  name: string;
  /** Notebook number (`01`) and a heading substring: the TODO message points there. */
  notebook?: string;
  section?: string;
}

export interface ItemSpec {
  id: string;
  points: number;
  /** A grading check of coursework/checks (compares numbers itself), or … */
  check?: string;
  /** … vitest test files (and a test-name filter) run against the submission's lib. */
  test?: { files: string[]; name?: string };
  /** The functions this item grades. */
  covers: string[];
}

export interface Assignment {
  id: string;
  title: string;
  notebooks: { notebook: string; cells: NotebookCell[] }[];
  functions: FunctionSpec[];
  items: ItemSpec[];
  /** Test files shipped to students; the grading items' tests that are not listed here stay hidden. */
  visibleTests: string[];
  /** Folders of datasets/ the assignment's notebooks load. */
  datasets: string[];
  /** Folders of checkpoints/ (shipped weights) the assignment's notebooks load. */
  checkpoints: string[];
}

export const ASSIGNMENTS_FILE = 'coursework/assignments.json';

const GRADE_ID = /^[a-zA-Z0-9_-]+$/;

function fail(msg: string): never {
  throw new Error(`${ASSIGNMENTS_FILE}: ${msg}`);
}

/** Reads and structurally checks the assignments file. */
export function loadAssignments(root: string): Assignment[] {
  const raw = JSON.parse(fs.readFileSync(path.join(root, ASSIGNMENTS_FILE), 'utf8')) as { assignments?: Assignment[] };
  if (!Array.isArray(raw.assignments) || raw.assignments.length === 0) fail("expected a non-empty 'assignments' array");
  const ids = new Set<string>();
  for (const a of raw.assignments) {
    if (!a.id || ids.has(a.id)) fail(`assignment id '${a.id}' missing or repeated`);
    ids.add(a.id);
    for (const key of ['notebooks', 'functions', 'items', 'visibleTests', 'datasets', 'checkpoints'] as const) {
      if (!Array.isArray(a[key])) fail(`${a.id}: '${key}' must be an array`);
    }
    const names = new Set(a.functions.map((f) => f.name));
    const itemIds = new Set<string>();
    for (const item of a.items) {
      if (!item.id || itemIds.has(item.id)) fail(`${a.id}: item id '${item.id}' missing or repeated`);
      itemIds.add(item.id);
      if (!(item.points >= 0)) fail(`${a.id}/${item.id}: points must be a number ≥ 0`);
      if ((item.check === undefined) === (item.test === undefined))
        fail(`${a.id}/${item.id}: give exactly one of 'check' and 'test'`);
      if (!Array.isArray(item.covers) || item.covers.length === 0)
        fail(`${a.id}/${item.id}: 'covers' must name the functions it grades`);
      for (const f of item.covers)
        if (!names.has(f)) fail(`${a.id}/${item.id}: covers '${f}', which is not in ${a.id}'s functions`);
    }
    for (const f of a.functions) {
      if (!a.items.some((i) => i.covers.includes(f.name))) fail(`${a.id}: function '${f.name}' is graded by no item`);
    }
    const gradeIds = new Set<string>();
    for (const nb of a.notebooks) {
      for (const cell of nb.cells) {
        if (!GRADE_ID.test(cell.gradeId) || gradeIds.has(cell.gradeId))
          fail(`${a.id}: grade id '${cell.gradeId}' must be unique and match ${GRADE_ID}`);
        gradeIds.add(cell.gradeId);
        if (cell.role !== 'test' && cell.role !== 'solution')
          fail(`${a.id}/${cell.gradeId}: role must be 'test' or 'solution'`);
        if (cell.role === 'test' && !(typeof cell.points === 'number' && cell.points >= 0))
          fail(`${a.id}/${cell.gradeId}: a test cell needs points ≥ 0`);
        if (!cell.select?.id && !cell.select?.contains)
          fail(`${a.id}/${cell.gradeId}: 'select' needs an 'id' or 'contains'`);
      }
    }
  }
  return raw.assignments;
}

export function findAssignment(all: Assignment[], id: string): Assignment {
  const a = all.find((x) => x.id.toLowerCase() === id.toLowerCase());
  if (!a) throw new Error(`no assignment '${id}' in ${ASSIGNMENTS_FILE} (have: ${all.map((x) => x.id).join(', ')})`);
  return a;
}

/** Regions whose function no assignment lists, and listed functions without a region. */
export function markerProblems(all: Assignment[], regions: Region[]): string[] {
  const listed = new Map<string, string>();
  for (const a of all) for (const f of a.functions) listed.set(f.name, a.id);
  const problems = regions
    .filter((r) => !listed.has(r.owner))
    .map((r) => `${r.file}:${r.beginLine}: solution region in ${r.owner}, which no assignment lists`);
  const owners = new Set(regions.map((r) => r.owner));
  for (const [name, id] of listed)
    if (!owners.has(name)) problems.push(`${id} lists ${name}, but lib/ has no solution region in it`);
  return problems;
}

/** The notebook file in `dir` whose name starts with `NN_`. */
export function notebookFile(root: string, number: string): string {
  const dir = path.join(root, 'notebooks');
  const hits = fs.readdirSync(dir).filter((f) => f.startsWith(`${number}_`) && f.endsWith('.ipynb'));
  if (hits.length !== 1) throw new Error(`expected one notebook notebooks/${number}_*.ipynb but found ${hits.length}`);
  return path.join(dir, hits[0]);
}
