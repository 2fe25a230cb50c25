/**
 * Runs one notebook in this (fresh) Node process through tslab's own kernel code — the
 * converter, executor and Jupyter handler a live tslab kernel uses — minus the ZeroMQ
 * transport. Started by `run-notebooks` with `fork(worker, [notebook, output])`; reports
 * progress over IPC (tslab redirects process.stdout/stderr into the running cell, so this
 * process never prints itself) and writes the executed notebook after every cell.
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
import { clearOutputs, firstLine, readNotebook, runnableCells, writeNotebook } from './runner/nbformat';
import { OutputRecorder } from './runner/outputs';
import type { WorkerMessage } from './runner/protocol';
import { activeBackend, RUN_METADATA_KEY, startRunMetadata } from './runner/runMetadata';

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
  const reports: ErrorReport[] = [];
  const executor = createExecutor(process.cwd(), convs, {
    log: console.log,
    error: (...args: unknown[]) =>
      reports.push({ text: util.format(...args), thrown: args.length === 1 ? args[0] : undefined }),
  });
  const handler = new JupyterHandlerImpl(executor, false);
  // tslab's kernel logs these instead of dying; here they also fail the running cell.
  process.on('uncaughtException', (err) => reports.push({ text: util.format('UncaughtException:', err), thrown: err }));
  process.on('unhandledRejection', (reason) =>
    reports.push({ text: util.format('UnhandledPromiseRejection:', reason), thrown: reason ?? 'unhandled rejection' }),
  );

  const recorder = new OutputRecorder();
  let lastWrite = 0;
  const writePartial = (): void => {
    if (performance.now() - lastWrite < PARTIAL_WRITE_MS) return;
    writeNotebook(outputPath, nb);
    lastWrite = performance.now();
  };

  for (let j = 0; j < cells.length; j++) {
    const cell = nb.cells[cells[j]];
    const k = j + 1;
    const code = Array.isArray(cell.source) ? cell.source.join('') : cell.source;
    await send({ type: 'cell', k, total: cells.length, cellIndex: cells[j], firstLine: firstLine(cell) });
    const writer = recorder.startCell(cell);
    convs.compileFailed = false;
    const t0 = performance.now();
    const reply = await handler.handleExecute(
      { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true },
      (name, text) => {
        writer.stream(name, text);
        writePartial();
      },
      (data, update) => {
        writer.display(data, update);
        writePartial();
      },
    );
    cell.execution_count = reply.execution_count ?? null;
    const seconds = (performance.now() - t0) / 1000;
    runInfo.cellSeconds[j] = seconds;
    runInfo.backend = activeBackend() ?? runInfo.backend;
    if (reply.status !== 'ok' || reports.length > 0) {
      const error = buildCellError(reports, convs.compileFailed);
      writer.error(error.ename, error.evalue, error.traceback);
      writeNotebook(outputPath, nb);
      await send({ type: 'cell-error', k, cellIndex: cells[j], firstLine: firstLine(cell), error });
      return 1;
    }
    writeNotebook(outputPath, nb);
    lastWrite = performance.now();
    await send({ type: 'cell-ok', k, seconds });
  }
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
