/**
 * `npm run grade -- SUBMISSION_DIR [--assignment A1] [--json FILE] [--csv FILE]
 *                  [--timeout S] [--memory MB] [--cell-timeout S] [--jobs N] [--no-notebooks] [--keep]`
 *
 * Builds the submission's lib in an isolated workspace (gradeWorkspace.ts), runs every
 * grading item of the assignment on a private copy, its code sandboxed, with a time and a
 * memory limit (gradeItems.ts),
 * executes its notebooks headless and scores their test cells (gradeNotebooks.ts), then
 * prints a score table (item, points, status, worst relative error) ending in `score X/Y`
 * and writes JSON and CSV for a gradebook (default out/grades/<submission>-<id>.{json,csv}).
 * Everything that comes from the submission (messages, output) is printed as quoted text
 * (`quoted`): one line, escapes visible, so it can never pass for a line of the grader's.
 * The assignment defaults to the one recorded in the submission's .coursework-release.json.
 * Exit code 0 when grading ran to the end (whatever the score), 2 on bad arguments.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { Assignment, findAssignment, loadAssignments } from './assignments';
import { ItemOutcome, runItems } from './gradeItems';
import { CellOutcome, gradeNotebooks, NotebookReport } from './gradeNotebooks';
import { buildWorkspace, itemCopy, itemHitBySyntax, syntaxProblems } from './gradeWorkspace';
import { RELEASE_MARK } from './release';

export interface GradeReport {
  assignment: string;
  submission: string;
  gradedAt: string;
  build: { errorCount: number; errors: string[] };
  items: ItemOutcome[];
  notebookCells: CellOutcome[];
  notebooks: NotebookReport['notebooks'];
  score: number;
  maxScore: number;
}

/** Text from a submission as one JSON-quoted line of at most `max` characters of content. */
export const quoted = (text: string, max: number): string =>
  text === '' ? '' : JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);

const fmtErr = (e: number | null): string => (e === null ? '—' : Number.isFinite(e) ? e.toExponential(1) : 'inf');

/** The score table as printed. */
export function scoreTable(r: GradeReport): string {
  const rows = [
    ...r.items.map((i) => [i.id, `${i.points}/${i.maxPoints}`, i.status, fmtErr(i.worst), quoted(i.message, 100)]),
    ...r.notebookCells.map((c) => [
      `${c.notebook.slice(0, 2)}:${c.id}`,
      `${c.points}/${c.maxPoints}`,
      c.status,
      '—',
      quoted(c.message, 100),
    ]),
  ];
  const head = ['item', 'points', 'status', 'worst rel. error', 'message'];
  const widths = head.map((h, k) => Math.max(h.length, ...rows.map((row) => (k === 4 ? 0 : row[k].length))));
  const line = (row: string[]): string =>
    row
      .map((c, k) => (k === 4 ? c : c.padEnd(widths[k])))
      .join('  ')
      .trimEnd();
  return [
    line(head),
    line(widths.map((w, k) => '-'.repeat(k === 4 ? 7 : w))),
    ...rows.map(line),
    '',
    `score ${r.score}/${r.maxScore}`,
  ].join('\n');
}

function csvCell(v: string | number): string {
  const s = String(v);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function toCsv(r: GradeReport): string {
  const rows: (string | number)[][] = [
    ['assignment', 'submission', 'item', 'points', 'max_points', 'status', 'worst_rel_error', 'message'],
  ];
  for (const i of r.items)
    rows.push([r.assignment, r.submission, i.id, i.points, i.maxPoints, i.status, i.worst ?? '', i.message]);
  for (const c of r.notebookCells)
    rows.push([
      r.assignment,
      r.submission,
      `notebook:${c.notebook}:${c.id}`,
      c.points,
      c.maxPoints,
      c.status,
      '',
      c.message,
    ]);
  rows.push([r.assignment, r.submission, 'total', r.score, r.maxScore, '', '', '']);
  return rows.map((row) => row.map(csvCell).join(',')).join('\n') + '\n';
}

export interface GradeOptions {
  assignment: Assignment;
  /** Per-item limit, and per-cell limit of the notebook run. */
  timeoutS: number;
  /** Per item: resident memory of all its processes (MB). */
  memoryMb: number;
  cellTimeoutS: number;
  jobs: number;
  notebooks: boolean;
  keep: boolean;
  log: (line: string) => void;
}

export async function grade(root: string, submission: string, opts: GradeOptions): Promise<GradeReport> {
  const a = opts.assignment;
  opts.log(`grade ${a.id}: building ${submission}'s lib in isolation…`);
  const ws = buildWorkspace(root, submission, a, Math.max(opts.timeoutS, 300));
  try {
    if (!ws.hasLib) opts.log('  the submission has no lib/: every item will fail');
    if (ws.buildErrorCount > 0)
      opts.log(
        `  build: ${ws.buildErrorCount} TypeScript error(s), compiled anyway; first: ${quoted(ws.buildErrors[0], 200)}`,
      );
    // A syntax error costs the items of the function (or file) holding it, even where tsc's
    // error-recovered output happens to run.
    const problems = syntaxProblems(ws.dir);
    for (const p of problems) opts.log(`  ${quoted(p.message, 200)}${p.owner ? ` (in ${p.owner})` : ''}`);
    const allCovered = new Set(a.items.flatMap((i) => i.covers));
    const hits = new Map(
      a.items.map((i) => [i.id, itemHitBySyntax(problems, i.covers, allCovered, (n) => ws.declarations[n])]),
    );
    const log = (o: ItemOutcome): void =>
      opts.log(`  ${o.id}: ${o.status} (${o.seconds.toFixed(1)} s)${o.message ? ` — ${quoted(o.message, 160)}` : ''}`);
    const ran = await runItems(
      { root, workspace: ws.dir, timeoutS: opts.timeoutS, memoryMb: opts.memoryMb },
      a.items.filter((i) => !hits.get(i.id)),
      opts.jobs,
      log,
    );
    const items = a.items.map((i): ItemOutcome => {
      const hit = hits.get(i.id);
      return hit
        ? {
            id: i.id,
            points: 0,
            maxPoints: i.points,
            status: 'error',
            worst: null,
            message: hit.message,
            seconds: 0,
            output: '',
          }
        : (ran.find((r) => r.id === i.id) as ItemOutcome);
    });
    let nb: NotebookReport = { notebooks: [], cells: [], seconds: 0, runnerMessage: '' };
    if (opts.notebooks) {
      opts.log(`  notebooks: running ${a.notebooks.map((n) => n.notebook).join(', ')} headless (quick mode)…`);
      const copy = itemCopy(ws.dir, 'notebooks');
      try {
        nb = await gradeNotebooks(root, copy.dir, a, 3600, opts.cellTimeoutS, opts.memoryMb);
      } finally {
        copy.remove();
      }
      if (nb.runnerMessage) opts.log(`  notebooks: ${nb.runnerMessage}`);
      for (const n of nb.notebooks) {
        const failing = n.failingCells.length;
        opts.log(
          `  ${n.name}: ${!n.ran ? 'did not run' : failing === 0 ? 'every cell ran' : `${failing} failing cell(s)`}`,
        );
        for (const f of n.failingCells)
          opts.log(`    cell ${f.cell}${f.id ? ` (${f.id})` : ''}: ${quoted(f.error, 200)}`);
      }
    }
    const score = items.reduce((s, i) => s + i.points, 0) + nb.cells.reduce((s, c) => s + c.points, 0);
    const maxScore =
      a.items.reduce((s, i) => s + i.points, 0) + (opts.notebooks ? nb.cells.reduce((s, c) => s + c.maxPoints, 0) : 0);
    return {
      assignment: a.id,
      submission,
      gradedAt: new Date().toISOString(),
      build: { errorCount: ws.buildErrorCount, errors: ws.buildErrors },
      items,
      notebookCells: nb.cells,
      notebooks: nb.notebooks,
      score,
      maxScore,
    };
  } finally {
    if (!opts.keep) fs.rmSync(ws.dir, { recursive: true, force: true });
    else opts.log(`  workspace kept: ${ws.dir}`);
  }
}

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      assignment: { type: 'string' },
      json: { type: 'string' },
      csv: { type: 'string' },
      timeout: { type: 'string', default: '120' },
      memory: { type: 'string', default: '2048' },
      'cell-timeout': { type: 'string', default: '300' },
      jobs: { type: 'string', default: '2' },
      'no-notebooks': { type: 'boolean', default: false },
      keep: { type: 'boolean', default: false },
    },
  });
  if (positionals.length !== 1) {
    process.stderr.write(
      'usage: npm run grade -- SUBMISSION_DIR [--assignment ID] [--json FILE] ' +
        '[--csv FILE] [--timeout S] [--memory MB] [--cell-timeout S] [--jobs N] [--no-notebooks] [--keep]\n',
    );
    return 2;
  }
  const root = process.cwd();
  const submission = path.resolve(positionals[0]);
  if (!fs.existsSync(submission)) {
    process.stderr.write(`grade: ${submission} does not exist\n`);
    return 2;
  }
  const all = loadAssignments(root);
  let id = values.assignment;
  if (!id && fs.existsSync(path.join(submission, RELEASE_MARK)))
    id = (JSON.parse(fs.readFileSync(path.join(submission, RELEASE_MARK), 'utf8')) as { assignment: string })
      .assignment;
  if (!id) {
    process.stderr.write(`grade: no --assignment and no ${RELEASE_MARK} in ${submission}\n`);
    return 2;
  }
  const timeoutS = Number(values.timeout),
    memoryMb = Number(values.memory),
    cellTimeoutS = Number(values['cell-timeout']),
    jobs = Number(values.jobs);
  if (!(timeoutS > 0) || !(memoryMb > 0) || !(cellTimeoutS > 0) || !(jobs >= 1)) {
    process.stderr.write('grade: --timeout, --memory, --cell-timeout and --jobs must be positive numbers\n');
    return 2;
  }
  const report = await grade(root, submission, {
    assignment: findAssignment(all, id),
    timeoutS,
    memoryMb,
    cellTimeoutS,
    jobs,
    notebooks: !values['no-notebooks'],
    keep: values.keep,
    log: (l) => process.stdout.write(`${l}\n`),
  });
  const base = path.join(root, 'out', 'grades', `${path.basename(submission)}-${report.assignment}`);
  const jsonPath = path.resolve(values.json ?? `${base}.json`);
  const csvPath = path.resolve(values.csv ?? `${jsonPath.replace(/\.json$/, '')}.csv`);
  for (const [p, text] of [
    [jsonPath, JSON.stringify(report, null, 2) + '\n'],
    [csvPath, toCsv(report)],
  ]) {
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
  }
  process.stdout.write(`\n${scoreTable(report)}\n(json: ${jsonPath}, csv: ${csvPath})\n`);
  return 0;
}

if (require.main === module) {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (e: Error) => {
      process.stderr.write(`grade: ${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
