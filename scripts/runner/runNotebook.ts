/**
 * Runs one notebook in a fresh Node process (the worker), enforcing the per-cell timeout,
 * and reports what happened. When the worker is killed or dies mid-cell, the error is
 * recorded in the partial executed notebook it left behind. A notebook that is not JSON or
 * not nbformat 4 (see readNotebook) fails before any worker starts.
 */
import { fork } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import type { CellError } from './cellError';
import { clearOutputs, NotebookFormatError, readNotebook, writeNotebook } from './nbformat';
import type { WorkerMessage } from './protocol';

export type NotebookStatus = 'ok' | 'error' | 'timeout' | 'crashed';

export interface CellFailure {
  /** 1-based number among the notebook's code cells. */
  k: number;
  /** Index into nb.cells. */
  cellIndex: number;
  firstLine: string;
  error: CellError;
}

export interface NotebookRun {
  name: string;
  stem: string;
  executed: string;
  status: NotebookStatus;
  /** Code cells that finished without error. */
  cellsOk: number;
  cellsTotal: number;
  seconds: number;
  /** The code cell that took longest among those that finished. */
  slowest?: { k: number; seconds: number };
  failure?: CellFailure;
}

/** Progress callbacks for the terminal display. */
export interface RunListener {
  cell(k: number, total: number, firstLine: string): void;
}

const WORKER = path.join(__dirname, '..', 'notebook-worker.js');
const TAIL_CHARS = 4000;

/** Appends an error output to cell `cellIndex` of the executed notebook (creating it if the worker never wrote it). */
function recordFailure(source: string, executed: string, cellIndex: number, error: CellError): void {
  const nb = fs.existsSync(executed) ? readNotebook(executed) : clearOutputs(readNotebook(source));
  const cell = nb.cells[cellIndex];
  if (!cell) return;
  (cell.outputs ??= []).push({ output_type: 'error', ...error });
  writeNotebook(executed, nb);
}

/** `execArgv`: extra Node flags for the worker (the sandbox's, when confined). */
export function runNotebook(
  source: string,
  executed: string,
  timeoutS: number,
  listener: RunListener,
  execArgv: string[] = [],
): Promise<NotebookRun> {
  const name = path.basename(source);
  const run: NotebookRun = {
    name,
    stem: name.replace(/\.ipynb$/, ''),
    executed,
    status: 'crashed',
    cellsOk: 0,
    cellsTotal: 0,
    seconds: 0,
  };
  const t0 = performance.now();
  // A copy from an earlier run must not stand in for this one if the worker dies early.
  fs.rmSync(executed, { force: true });
  try {
    readNotebook(source);
  } catch (e) {
    if (!(e instanceof NotebookFormatError)) throw e;
    run.status = 'error';
    run.failure = { k: 0, cellIndex: -1, firstLine: '', error: { ename: e.name, evalue: e.problem, traceback: [] } };
    return Promise.resolve(run);
  }
  return new Promise((resolve) => {
    const child = fork(WORKER, [source, executed], {
      execArgv,
      cwd: path.dirname(source),
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    let tail = '';
    const keepTail = (chunk: Buffer): void => {
      tail = (tail + chunk.toString('utf8')).slice(-TAIL_CHARS);
    };
    child.stdout?.on('data', keepTail);
    child.stderr?.on('data', keepTail);

    let current: { k: number; cellIndex: number; firstLine: string } | null = null;
    let finished = false;
    let timer: NodeJS.Timeout | null = null;
    const clearTimer = (): void => {
      if (timer) clearTimeout(timer);
      timer = null;
    };

    child.on('message', (msg: WorkerMessage) => {
      switch (msg.type) {
        case 'begin':
          run.cellsTotal = msg.total;
          break;
        case 'cell':
          current = { k: msg.k, cellIndex: msg.cellIndex, firstLine: msg.firstLine };
          listener.cell(msg.k, msg.total, msg.firstLine);
          clearTimer();
          timer = setTimeout(() => {
            const c = current;
            if (!c) return;
            run.status = 'timeout';
            run.failure = {
              ...c,
              error: {
                ename: 'CellTimeoutError',
                evalue: `cell ${c.k} did not finish within ${timeoutS} s; the runner killed the kernel`,
                traceback: [],
              },
            };
            child.kill('SIGKILL');
          }, timeoutS * 1000);
          break;
        case 'cell-ok':
          clearTimer();
          run.cellsOk = msg.k;
          if (!run.slowest || msg.seconds > run.slowest.seconds) run.slowest = { k: msg.k, seconds: msg.seconds };
          current = null;
          break;
        case 'cell-error':
          clearTimer();
          run.status = 'error';
          run.failure = { k: msg.k, cellIndex: msg.cellIndex, firstLine: msg.firstLine, error: msg.error };
          break;
        case 'end':
          finished = true;
          break;
      }
    });

    child.on('exit', (code, signal) => {
      clearTimer();
      run.seconds = (performance.now() - t0) / 1000;
      if (finished && code === 0) {
        run.status = 'ok';
      } else if (run.status === 'timeout' && run.failure) {
        recordFailure(source, executed, run.failure.cellIndex, run.failure.error);
      } else if (run.status !== 'error') {
        run.status = 'crashed';
        const how = signal ? `was killed by ${signal}` : `exited with code ${String(code)}`;
        const error: CellError = {
          ename: 'KernelDied',
          evalue: `the kernel process ${how}${current ? ` while running cell ${current.k}` : ''}`,
          traceback: tail.trim() === '' ? [] : tail.trimEnd().split('\n'),
        };
        if (current) {
          run.failure = { ...current, error };
          recordFailure(source, executed, current.cellIndex, error);
        } else {
          run.failure = { k: 0, cellIndex: -1, firstLine: '', error };
        }
      }
      resolve(run);
    });
  });
}
