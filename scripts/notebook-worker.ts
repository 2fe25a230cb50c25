/**
 * Runs one notebook in this (fresh) Node process through tslab's own kernel code — the
 * converter, executor and Jupyter handler a live tslab kernel uses — minus the ZeroMQ
 * transport. Started by `run-notebooks` with `fork(worker, [notebook, output])`; reports
 * progress over IPC (tslab redirects process.stdout/stderr into the running cell, so this
 * process never prints itself) and writes the executed notebook after every cell.
 *
 * A cell is done when its result is in and the work it scheduled has drained or a grace period has passed
 * (see runner/cellTracker.ts); an exception thrown or a promise rejection left unhandled by that work fails the
 * cell that scheduled it, as the cell's own error would.
 *
 * Exit code 0: every cell ran; 1: a cell failed (the partial notebook holds its error).
 */
import * as path from 'path';
import * as util from 'util';
import { performance } from 'perf_hooks';
import { createConverter, Converter } from 'tslab/dist/converter';
import { createExecutor, ConverterSet } from 'tslab/dist/executor';
import { JupyterHandlerImpl } from 'tslab/dist/jupyter';
import { parseCommandLine, UsageError } from './cliArgs';
import { buildCellError, ErrorReport } from './runner/cellError';
import { CellTracker } from './runner/cellTracker';
import { clearOutputs, firstLine, readNotebook, runnableCells, writeNotebook } from './runner/nbformat';
import { CellWriter, OutputRecorder } from './runner/outputs';
import type { WorkerMessage } from './runner/protocol';
import { activeBackend, RUN_METADATA_KEY, startRunMetadata } from './runner/runMetadata';

// Stack traces through the library point at its .ts sources (dist/ carries source maps): a stub's
// TODO error names the file and line the student edits.
process.setSourceMapsEnabled(true);

/** The real stderr write, kept before tslab redirects process.stderr into the running cell. */
const writeOwnStderr = process.stderr.write.bind(process.stderr);

/** Written at most this often while a cell is producing output, so a killed run leaves its progress. */
const PARTIAL_WRITE_MS = 2000;

/** tslab's ConverterSetImpl (main.js), observing whether the last conversion had diagnostics. */
class ObservedConverters implements ConverterSet {
  private nodeConv?: Converter;
  private browserConv?: Converter;
  compileFailed = false;

  private observe(conv: Converter): Converter {
    const convert = conv.convert.bind(conv);
    const addModule = conv.addModule.bind(conv);
    conv.convert = (prevDecl, src) => {
      const r = convert(prevDecl, src);
      if (r.diagnostics.length > 0) this.compileFailed = true;
      return r;
    };
    conv.addModule = (name, content, meta) => {
      const d = addModule(name, content, meta);
      if (d.length > 0) this.compileFailed = true;
      return d;
    };
    return conv;
  }
  get node(): Converter {
    return (this.nodeConv ??= this.observe(createConverter({ isJS: false, isBrowser: false })));
  }
  get browser(): Converter {
    return (this.browserConv ??= this.observe(createConverter({ isJS: false, isBrowser: true })));
  }
  close(): void {
    this.nodeConv?.close();
    this.browserConv?.close();
  }
}

function send(msg: WorkerMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(msg, undefined, undefined, () => resolve());
  });
}

const USAGE = 'usage: notebook-worker <notebook.ipynb> <executed.ipynb>';

async function main(): Promise<number> {
  const { positionals } = parseCommandLine('notebook-worker', process.argv.slice(2), {}, { allowPositionals: true });
  if (positionals.length !== 2) {
    const given = positionals.map((p) => `'${p}'`).join(' ') || 'none';
    throw new UsageError(`notebook-worker: expected 2 arguments, <notebook.ipynb> <executed.ipynb>; got ${given}`);
  }
  const [notebookArg, outputArg] = positionals;
  const notebookPath = path.resolve(notebookArg);
  const outputPath = path.resolve(outputArg);
  const nb = clearOutputs(readNotebook(notebookPath));
  const cells = runnableCells(nb);
  const runInfo = startRunMetadata(path.dirname(notebookPath), cells.length);
  nb.metadata[RUN_METADATA_KEY] = runInfo;
  await send({ type: 'begin', total: cells.length });
  writeNotebook(outputPath, nb);

  // A kernel's cwd is its notebook's directory; tslab resolves modules and types from there.
  process.chdir(path.dirname(notebookPath));
  const convs = new ObservedConverters();
  void convs.node; // warm the converter, as tslab's startKernel does
  const tracker = new CellTracker();
  /** The cell running or in its grace period (or the last one): where an error nothing else claims is reported. */
  let current = 1;
  /** What failed, by cell number: the executor's errors, and late errors attributed by the tracker. */
  const reports = new Map<number, ErrorReport[]>();
  const report = (k: number, r: ErrorReport): void => {
    const list = reports.get(k);
    if (list) list.push(r);
    else reports.set(k, [r]);
  };
  const executor = createExecutor(process.cwd(), convs, {
    log: console.log,
    error: (...args: unknown[]) =>
      report(current, { text: util.format(...args), thrown: args.length === 1 ? args[0] : undefined }),
  });
  const handler = new JupyterHandlerImpl(executor, false);
  // tslab's kernel logs these instead of dying; here they fail the cell that threw or created the rejected promise.
  process.on('uncaughtException', (err) =>
    report(tracker.cellNow() ?? current, { text: util.format('UncaughtException:', err), thrown: err }),
  );
  process.on('unhandledRejection', (reason, promise) =>
    report(tracker.cellOfPromise(promise) ?? current, {
      text: util.format('UnhandledPromiseRejection:', reason),
      thrown: reason ?? 'unhandled rejection',
    }),
  );

  const recorder = new OutputRecorder();
  const writers: CellWriter[] = [];
  let lastWrite = 0;
  const writePartial = (): void => {
    if (performance.now() - lastWrite < PARTIAL_WRITE_MS) return;
    writeNotebook(outputPath, nb);
    lastWrite = performance.now();
  };
  /**
   * After cell k (`ok`: tslab's status for it): when it or an earlier cell failed, records the error of the
   * earliest failed cell as that cell's output, writes the partial notebook, reports it and returns true.
   */
  const failed = async (k: number, ok: boolean): Promise<boolean> => {
    if (ok && reports.size === 0) return false;
    const f = reports.size > 0 ? Math.min(...reports.keys()) : k;
    const error = buildCellError(reports.get(f) ?? [], f === k && convs.compileFailed);
    writers[f - 1].error(error.ename, error.evalue, error.traceback);
    writeNotebook(outputPath, nb);
    const cell = nb.cells[cells[f - 1]];
    await send({ type: 'cell-error', k: f, cellIndex: cells[f - 1], firstLine: firstLine(cell), error });
    return true;
  };

  for (let j = 0; j < cells.length; j++) {
    const cell = nb.cells[cells[j]];
    const k = j + 1;
    current = k;
    const code = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
    await send({ type: 'cell', k, total: cells.length, cellIndex: cells[j], firstLine: firstLine(cell) });
    const writer = (writers[j] = recorder.startCell(cell));
    convs.compileFailed = false;
    const t0 = performance.now();
    const reply = await tracker.run(k, () =>
      handler.handleExecute(
        { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
        (name, text) => {
          writer.stream(name, text);
          writePartial();
        },
        (data, update) => {
          writer.display(data, update);
          writePartial();
        },
      ),
    );
    cell.execution_count = reply.execution_count ?? null;
    const ok = reply.status === 'ok';
    await tracker.settle(k, () => !ok || reports.size > 0);
    const seconds = (performance.now() - t0) / 1000;
    runInfo.cellSeconds[j] = seconds;
    runInfo.backend = activeBackend() ?? runInfo.backend;
    if (await failed(k, ok)) return 1;
    writeNotebook(outputPath, nb);
    lastWrite = performance.now();
    await send({ type: 'cell-ok', k, seconds });
  }
  // An error surfacing while the last cell's success was being reported still fails the run.
  if (await failed(cells.length, true)) return 1;
  handler.close();
  await send({ type: 'end' });
  return 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    // Failures outside any cell (unreadable notebook, tslab failing to load) go to the runner's stderr.
    if (e instanceof UsageError) writeOwnStderr(`${e.message}\n${USAGE}\n`);
    else writeOwnStderr(`notebook-worker: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    process.exit(2);
  },
);
