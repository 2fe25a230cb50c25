/**
 * What the runner prints: live progress (a cli-progress bar on a TTY, plain lines in CI
 * logs), the failure message of a notebook, and the final summary table.
 */
import { SingleBar } from 'cli-progress';
import { performance } from 'perf_hooks';
import { TS_COMPILE_ERROR } from './cellError';
import type { NotebookRun, RunListener } from './runNotebook';

export interface NotebookProgress extends RunListener {
  done(run: NotebookRun): void;
}

const STATUS_MARK: Record<NotebookRun['status'], string> = {
  ok: 'ok',
  error: 'FAILED',
  timeout: 'TIMEOUT',
  crashed: 'CRASHED',
};

const clip = (s: string, n: number): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** Progress for one notebook; `write` is where lines go (stdout). */
export function notebookProgress(stem: string, tty: boolean, write: (line: string) => void): NotebookProgress {
  const t0 = performance.now();
  const elapsed = (): string => `${((performance.now() - t0) / 1000).toFixed(1)}s`;
  let bar: SingleBar | null = null;
  return {
    cell(k, total, firstLine) {
      if (!tty) {
        write(`[${stem} ${elapsed()}] cell ${k}/${total}: ${clip(firstLine, 70)}`);
        return;
      }
      if (!bar) {
        bar = new SingleBar({
          format: `${stem} [{bar}] cell {value}/{total} | {duration_formatted} | {line}`,
          barsize: 20,
          hideCursor: true,
          clearOnComplete: true,
        });
        bar.start(total, 0, { line: '' });
      }
      bar.update(k - 1, { line: clip(firstLine, 40) });
    },
    done(run) {
      if (bar) bar.stop();
      const cells = `${run.cellsOk}/${run.cellsTotal} cells`;
      const slowest = run.slowest ? ` (slowest: cell ${run.slowest.k}, ${run.slowest.seconds.toFixed(1)} s)` : '';
      write(
        `${run.status === 'ok' ? '✓' : '✗'} ${run.stem}: ${cells}, ` +
          `${run.seconds.toFixed(1)} s, ${STATUS_MARK[run.status]}${slowest}`,
      );
    },
  };
}

/** The message naming the notebook, the cell number, its first line and the error. */
export function failureMessage(run: NotebookRun): string {
  const f = run.failure;
  if (!f) return `${run.name}: ${STATUS_MARK[run.status]}`;
  if (f.error.ename === 'NotebookFormatError') return `${run.name}: malformed notebook, not run: ${f.error.evalue}`;
  const where = f.k > 0 ? `in cell ${f.k} (\`${clip(f.firstLine, 80)}\`)` : 'before any cell ran';
  const head =
    f.error.ename === TS_COMPILE_ERROR
      ? `${run.name}: TypeScript compile error ${where} — the cell did not run:`
      : `${run.name}: ${f.error.ename} ${where}: ${f.error.evalue}`;
  const body = f.error.traceback.map((l) => `    ${l}`);
  return [head, ...body].join('\n');
}

/** A plain-text table: notebook, cells, seconds, figures, status. */
export function summaryTable(rows: { run: NotebookRun; figures: number }[]): string {
  const header = ['notebook', 'cells', 'seconds', 'figures', 'status'];
  const body = rows.map(({ run, figures }) => [
    run.stem,
    `${run.cellsOk}/${run.cellsTotal}`,
    run.seconds.toFixed(1),
    String(figures),
    run.status === 'ok'
      ? 'ok'
      : `${STATUS_MARK[run.status]}${run.failure && run.failure.k > 0 ? ` at cell ${run.failure.k}` : ''}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const numeric = [false, true, true, true, false];
  const fmt = (r: string[]): string =>
    r
      .map((c, i) => (numeric[i] ? c.padStart(widths[i]) : c.padEnd(widths[i])))
      .join('  ')
      .trimEnd();
  return [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(fmt)].join('\n');
}

/** "wall time 6.2 min for 10 notebooks, 2 at a time (their own times add up to 11.5 min)". */
export function wallTimeLine(runs: readonly NotebookRun[], wallSeconds: number, jobs: number): string {
  const sum = runs.reduce((t, r) => t + r.seconds, 0);
  const min = (s: number): string => `${(s / 60).toFixed(1)} min`;
  const at = Math.min(jobs, runs.length);
  return (
    `wall time ${min(wallSeconds)} for ${runs.length} notebook${runs.length === 1 ? '' : 's'}, ` +
    `${at} at a time (their own times add up to ${min(sum)})`
  );
}
