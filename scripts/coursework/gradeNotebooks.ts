/**
 * Executes a submission's notebooks headless with the project's runner (quick mode, in a
 * private copy of the grading workspace, so `backprop-lab` is the student's compiled lib;
 * each kernel sandboxed with `--sandbox`, the whole run under a memory limit) and reads the executed
 * copies: every cell that raised, and the assignment's test cells — a test cell earns its
 * points when it ran without error and its source is the instructor's (it is locked).
 * A notebook that fails because the lib is still stubbed is reported, never fatal.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Assignment, notebookFile } from './assignments';
import { runLimited } from './gradeItems';
import { joinText, Notebook, readNotebook } from '../runner/nbformat';
import { selectCell } from './nbgrader';

export interface FailingCell {
  notebook: string;
  cell: number;
  id?: string;
  error: string;
}

export interface CellOutcome {
  id: string;
  notebook: string;
  points: number;
  maxPoints: number;
  status: 'pass' | 'error' | 'not run' | 'modified' | 'missing';
  message: string;
}

export interface NotebookReport {
  notebooks: { name: string; ran: boolean; failingCells: FailingCell[] }[];
  cells: CellOutcome[];
  seconds: number;
  runnerMessage: string;
}

function cellError(nb: Notebook, i: number): string | null {
  const err = (nb.cells[i].outputs ?? []).find((o) => o.output_type === 'error');
  if (!err || err.output_type !== 'error') return null;
  return `${err.ename}: ${err.evalue}`.split('\n')[0].slice(0, 300);
}

export async function gradeNotebooks(
  root: string,
  workspace: string,
  a: Assignment,
  timeoutS: number,
  cellTimeoutS: number,
  memoryMb: number,
): Promise<NotebookReport> {
  const names = a.notebooks.map((n) => path.basename(notebookFile(root, n.notebook)));
  const present = names.filter((n) => fs.existsSync(path.join(workspace, 'notebooks', n)));
  const outDir = path.join(workspace, 'out');
  let runnerMessage = '';
  let seconds = 0;
  if (present.length > 0) {
    const r = await runLimited(
      process.execPath,
      [
        path.join(workspace, 'dist', 'scripts', 'run-notebooks.js'),
        ...present,
        '--dir',
        'notebooks',
        '--out',
        outDir,
        '--timeout',
        String(cellTimeoutS),
        '--sandbox',
      ],
      {
        cwd: workspace,
        env: { ...process.env, BACKPROP_QUICK: '1' },
        timeoutS,
        memoryMb,
      },
    );
    seconds = r.seconds;
    if (r.timedOut) runnerMessage = `the notebook run did not finish within ${timeoutS} s`;
    else if (r.code !== 0 && r.code !== 1) {
      const lastLines = (r.stderr || r.stdout).trim().split('\n').slice(-3).join(' | ');
      runnerMessage = `runner exited with ${r.code}: ${lastLines}`;
    }
  }
  const report: NotebookReport = { notebooks: [], cells: [], seconds, runnerMessage };
  a.notebooks.forEach((spec, k) => {
    const name = names[k];
    const executedPath = path.join(outDir, 'notebooks', name);
    const executed = fs.existsSync(executedPath) ? readNotebook(executedPath) : null;
    const failing: FailingCell[] = [];
    executed?.cells.forEach((c, i) => {
      const e = cellError(executed, i);
      if (e) failing.push({ notebook: name, cell: i, id: c.id, error: e });
    });
    report.notebooks.push({ name, ran: executed !== null, failingCells: failing });
    const instructor = readNotebook(notebookFile(root, spec.notebook));
    for (const cell of spec.cells.filter((c) => c.role === 'test')) {
      const base = { id: cell.gradeId, notebook: name, maxPoints: cell.points ?? 0, points: 0 };
      if (!present.includes(name)) {
        report.cells.push({ ...base, status: 'missing', message: `${name} is not in the submission` });
        continue;
      }
      if (!executed) {
        report.cells.push({
          ...base,
          status: 'not run',
          message: runnerMessage || 'the runner wrote no executed copy',
        });
        continue;
      }
      let i: number;
      try {
        i = selectCell(executed, cell.select, name);
      } catch (e) {
        report.cells.push({ ...base, status: 'missing', message: (e as Error).message });
        continue;
      }
      const nb: Notebook = executed;
      const original = joinText(instructor.cells[selectCell(instructor, cell.select, name)].source);
      if (joinText(nb.cells[i].source).trim() !== original.trim()) {
        report.cells.push({ ...base, status: 'modified', message: 'the locked test cell was edited' });
      } else if (cellError(nb, i)) {
        report.cells.push({ ...base, status: 'error', message: cellError(nb, i) as string });
      } else if (nb.cells[i].execution_count === null || nb.cells[i].execution_count === undefined) {
        report.cells.push({ ...base, status: 'not run', message: 'an earlier cell failed' });
      } else {
        report.cells.push({ ...base, status: 'pass', points: base.maxPoints, message: '' });
      }
    }
  });
  return report;
}
