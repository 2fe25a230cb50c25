/**
 * `npm run notebooks [-- NAME...] [--timeout S] [--inplace] [--dir DIR] [--out DIR] [--sandbox] [--record-seconds]`
 *
 * Executes notebooks headless, longest first by their measured times (runner/estimate.ts), each in
 * a fresh Node process through tslab's own kernel code (see notebook-worker.ts), and writes
 *   <out>/notebooks/<name>.ipynb                 the executed notebooks (after every cell);
 *   <out>/figures/<stem>/figure-<k>.{json,html,png}  every plotly figure;
 *   <out>/audio/<stem>/clip-<k>.wav               every audio clip (bp.showAudio);
 *   <out>/index.html                             links to all of it, with status and timings;
 *   <out>/book/                                  the executed notebooks as an offline book (see scripts/book.ts).
 * Exit code 0 when every notebook ran without error, 1 otherwise, 2 on bad arguments.
 */
import * as fs from 'fs';
import * as path from 'path';
import { performance } from 'perf_hooks';
import { isQuickMode } from '../lib/core/mode';
import { bookOptions, buildBook } from './book/build';
import { bookSummary } from './book/summary';
import { AudioFiles, exportAudio } from './runner/audio';
import { exportFigures, findChromium, FigureFiles, PngRenderer } from './runner/figures';
import { IndexEntry, indexHtml, updateRuns } from './runner/indexPage';
import { readNotebook, writeNotebook } from './runner/nbformat';
import { parseOptions, RunnerOptions, seedThreadsPerNotebook, UsageError, USAGE } from './runner/options';
import { longestFirst, measuredTimes, recordSeconds, runEstimate } from './runner/estimate';
import { NotebookRun, runNotebook } from './runner/runNotebook';
import { inParallel, serialQueue } from './runner/pool';
import { failureMessage, notebookProgress, summaryTable, wallTimeLine } from './runner/terminal';
import { kernelSandboxFlags } from './sandbox';

/** V8 heap of a sandboxed kernel (--sandbox); its other memory is the caller's to limit. */
const KERNEL_HEAP_MB = 4096;

const say = (line: string): void => void process.stdout.write(`${line}\n`);
const complain = (line: string): void => void process.stderr.write(`${line}\n`);

/**
 * Figures (PNG added to the executed notebook) and audio clips out of it, and the copy back into the sources with
 * --inplace.
 */
async function finishNotebook(
  opts: RunnerOptions,
  source: string,
  run: NotebookRun,
  renderer: PngRenderer | null,
): Promise<{ figures: FigureFiles[]; audio: AudioFiles[] }> {
  if (!fs.existsSync(run.executed)) return { figures: [], audio: [] };
  const nb = readNotebook(run.executed);
  const figures = await exportFigures(nb, run.stem, path.join(opts.out, 'figures', run.stem), renderer);
  const audio = exportAudio(nb, run.stem, path.join(opts.out, 'audio', run.stem));
  if (figures.some((f) => f.png)) writeNotebook(run.executed, nb);
  if (opts.inplace) writeNotebook(source, nb);
  return { figures, audio };
}

function indexEntry(out: string, run: NotebookRun, figures: FigureFiles[], audio: AudioFiles[]): IndexEntry {
  const rel = (p: string): string => path.relative(out, p).split(path.sep).join('/');
  return {
    stem: run.stem,
    status: run.status,
    cells: `${run.cellsOk}/${run.cellsTotal}`,
    seconds: run.seconds,
    mode: isQuickMode() ? 'quick' : 'full',
    finishedAt: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    failure: run.failure ? failureMessage(run).split('\n').slice(0, 12).join('\n') : undefined,
    notebook: rel(run.executed),
    figures: figures.map((f) => ({
      k: f.k,
      title: f.title,
      html: rel(f.html),
      json: rel(f.json),
      png: f.png ? rel(f.png) : undefined,
    })),
    audio: audio.map((a) => ({ k: a.k, label: a.label, wav: rel(a.wav) })),
  };
}

async function main(): Promise<number> {
  let opts: RunnerOptions;
  try {
    opts = parseOptions(process.argv.slice(2), process.env, process.cwd());
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    if (!e.message) {
      say(USAGE); // --help
      return 0;
    }
    complain(`${e.message}\n${USAGE}`);
    return 2;
  }
  if (opts.notebooks.length === 0) {
    say(`run-notebooks: no notebooks in ${opts.dir}`);
    return 0;
  }
  // Live bars only when one notebook runs at a time; side by side, each cell is a line.
  const tty = Boolean(process.stdout.isTTY) && opts.jobs === 1;
  const chromium = findChromium();
  const renderer = chromium ? new PngRenderer(chromium) : null;
  say(
    `run-notebooks: ${opts.notebooks.length} notebook(s) from ${path.relative(process.cwd(), opts.dir) || '.'} → ` +
      `${path.relative(process.cwd(), opts.out) || '.'} ` +
      `(${isQuickMode() ? 'quick' : 'full'} mode, cell timeout ${opts.timeoutS} s, ` +
      `${Math.min(opts.jobs, opts.notebooks.length)} at a time)`,
  );
  if (!chromium)
    say('note: no Chromium at /usr/bin/chromium or CHROMIUM_PATH — figures get .html and .json pages, no .png');
  process.env.BACKPROP_SEED_THREADS ??= String(seedThreadsPerNotebook(opts));
  const stems = opts.notebooks.map((n) => path.basename(n).replace(/\.ipynb$/, ''));
  const mode = isQuickMode() ? 'quick' : 'full';
  const times = measuredTimes(opts.out, opts.dir, stems, mode);
  const estimate = runEstimate(stems, times, mode, Math.min(opts.jobs, stems.length));
  if (estimate) say(estimate);

  const done: { run: NotebookRun; files: { figures: FigureFiles[]; audio: AudioFiles[] } }[] = [];
  let failed = false;
  const wallStart = performance.now();
  // A sandboxed kernel may write only inside folders that exist when it starts.
  if (opts.sandbox) fs.mkdirSync(path.join(opts.out, 'notebooks'), { recursive: true });
  const kernelFlags = opts.sandbox ? kernelSandboxFlags(process.cwd(), opts.out, KERNEL_HEAP_MB) : [];
  // Figures and audio are exported one notebook at a time (they share one Chromium).
  const inTurn = serialQueue();
  const runOne = async (k: number): Promise<void> => {
    const source = opts.notebooks[k];
    const name = path.basename(source);
    const progress = notebookProgress(name.replace(/\.ipynb$/, ''), tty, say);
    const run = await runNotebook(source, path.join(opts.out, 'notebooks', name), opts.timeoutS, progress, kernelFlags);
    progress.done(run);
    if (run.status !== 'ok') {
      failed = true;
      complain(failureMessage(run));
    }
    let files: { figures: FigureFiles[]; audio: AudioFiles[] } = { figures: [], audio: [] };
    try {
      files = await inTurn(() => finishNotebook(opts, source, run, renderer));
    } catch (e) {
      failed = true;
      complain(`${name}: writing its figures and audio failed: ${(e as Error).message}`);
    }
    done[k] = { run, files };
  };
  try {
    await inParallel(longestFirst(stems, times), opts.jobs, runOne);
  } finally {
    await renderer?.close();
  }
  const entries = done.map(({ run, files }) => indexEntry(opts.out, run, files.figures, files.audio));
  const index = path.join(opts.out, 'index.html');
  fs.writeFileSync(index, indexHtml(updateRuns(opts.out, entries)));
  say('');
  say(summaryTable(done.map(({ run, files }) => ({ run, figures: files.figures.length }))));
  say(
    wallTimeLine(
      done.map((d) => d.run),
      (performance.now() - wallStart) / 1000,
      opts.jobs,
    ),
  );
  say(`\nexecuted notebooks, figures, audio and ${path.relative(process.cwd(), index)} written`);
  if (opts.recordSeconds) {
    const file = recordSeconds(
      opts.dir,
      entries.filter((e) => e.status === 'ok'),
      mode,
    );
    say(`times of the notebooks that ran without error recorded in ${path.relative(process.cwd(), file)}`);
  }
  try {
    const book = buildBook(bookOptions(opts.out, opts.dir, path.join(__dirname, '..', '..', 'README.md')));
    bookSummary(book, process.cwd()).forEach(say);
  } catch (e) {
    failed = true;
    complain(`run-notebooks: building the book failed: ${(e as Error).stack ?? (e as Error).message}`);
  }
  return failed ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    complain(`run-notebooks: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    process.exit(1);
  },
);
