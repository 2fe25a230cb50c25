/**
 * Command line of `run-notebooks` and which notebooks it selects.
 *
 *   run-notebooks [NAME...] [--timeout SECONDS] [--jobs N] [--inplace] [--dir DIR] [--out DIR] [--sandbox]
 *                 [--record-seconds]
 *
 * NAME is a file name (`01_rnn_backprop.ipynb`), a stem or a prefix (`01`); none = all. They
 * start longest first (runner/estimate.ts); outputs and summaries keep filename order.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { parseCommandLine, parseNumber, UsageError } from '../cliArgs';

export { UsageError };

export const DEFAULT_CELL_TIMEOUT_S = 1800;

/** Free memory a notebook kernel is given room for when choosing the default --jobs. */
const KERNEL_ROOM_BYTES = 2 * 2 ** 30;

/** Notebooks side by side by default: one per core, as many as free memory has room for, at least one. */
export function defaultJobs(): number {
  return Math.max(1, Math.min(os.cpus().length, Math.floor(os.freemem() / KERNEL_ROOM_BYTES)));
}

/**
 * Worker threads each notebook may give its seeds (`bp.runSeeds`, via BACKPROP_SEED_THREADS):
 * the cores left to it by the notebooks running beside it; 1 in the sandbox, which forbids threads.
 */
export function seedThreadsPerNotebook(opts: Pick<RunnerOptions, 'jobs' | 'notebooks' | 'sandbox'>): number {
  if (opts.sandbox) return 1;
  return Math.max(1, Math.floor(os.cpus().length / Math.max(1, Math.min(opts.jobs, opts.notebooks.length))));
}

export interface RunnerOptions {
  /** Absolute paths of the notebooks to run, in order. */
  notebooks: string[];
  /** Directory holding the notebooks. */
  dir: string;
  /** Output root: `<out>/notebooks`, `<out>/figures`, `<out>/index.html`. */
  out: string;
  /** Per-cell timeout in seconds. */
  timeoutS: number;
  /** Notebooks run side by side, each in its own kernel process. */
  jobs: number;
  /** Also write executed notebooks back over the sources. */
  inplace: boolean;
  /**
   * Confine each notebook's kernel (the grader runs submissions this way): it may read the
   * project folder (the working directory), node_modules and datasets, write only under
   * `out`, and start no processes (scripts/coursework/sandbox.ts).
   */
  sandbox: boolean;
  /** Write this run's notebook times into `<dir>/run-seconds.json`, the start order of fresh clones. */
  recordSeconds: boolean;
}

export const USAGE = `usage: run-notebooks [NAME...] [--timeout SECONDS] [--jobs N] [--inplace] [--dir DIR] [--out DIR]
                     [--sandbox] [--record-seconds]

  NAME           a notebook file name, stem or prefix (e.g. 01); default: every notebook, in order
  --timeout S    per-cell timeout in seconds (env BACKPROP_CELL_TIMEOUT; default ${DEFAULT_CELL_TIMEOUT_S})
  --jobs N       notebooks run side by side (default: one per core, as free memory allows; here ${defaultJobs()})
  --inplace      also write the executed notebooks back into the notebook directory
  --dir DIR      notebook directory (default: notebooks)
  --out DIR      output directory (default: out)
  --sandbox      confine each kernel: reads in the project, writes under --out, no processes
  --record-seconds
                 write the notebooks' times into DIR/run-seconds.json (commit it: a fresh clone starts
                 its longest notebooks first, by those times, until it has run them itself)
  BACKPROP_QUICK=1 selects quick mode in the notebooks (the environment is passed through).`;

const SCRIPT = 'run-notebooks';
const SECONDS = 'a positive number of seconds';

/** Notebooks in `dir` matching `names` (all when empty), in filename order. */
export function selectNotebooks(dir: string, names: string[]): string[] {
  if (!fs.existsSync(dir)) throw new UsageError(`${SCRIPT}: notebook directory ${dir} does not exist`);
  const all = fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.'))
    .sort();
  if (names.length === 0) return all.map((f) => path.join(dir, f));
  const chosen = new Set<string>();
  for (const name of names) {
    const base = path.basename(name);
    const matches = all.filter((f) => f === base || f === `${base}.ipynb` || f.startsWith(base));
    if (matches.length === 0) {
      throw new UsageError(`${SCRIPT}: no notebook in ${dir} matches '${name}' (have: ${all.join(', ') || 'none'})`);
    }
    matches.forEach((m) => chosen.add(m));
  }
  return all.filter((f) => chosen.has(f)).map((f) => path.join(dir, f));
}

/**
 * The runner's command line; `--help` throws a UsageError with an empty message. Errors are
 * UsageErrors whose message starts with `run-notebooks: `.
 */
export function parseOptions(argv: string[], env: NodeJS.ProcessEnv, cwd: string): RunnerOptions {
  const { values, positionals } = parseCommandLine(
    SCRIPT,
    argv,
    {
      timeout: { type: 'number', rule: 'positive', expects: SECONDS },
      jobs: { type: 'number', rule: 'positive-integer' },
      inplace: { type: 'boolean' },
      sandbox: { type: 'boolean' },
      'record-seconds': { type: 'boolean' },
      dir: { type: 'string', default: 'notebooks', expects: 'a directory' },
      out: { type: 'string', default: 'out', expects: 'a directory' },
      help: { type: 'boolean', short: 'h' },
    },
    { allowPositionals: true },
  );
  if (values.help) throw new UsageError('');
  const dir = path.resolve(cwd, values.dir);
  const timeoutS =
    values.timeout ??
    (env.BACKPROP_CELL_TIMEOUT
      ? parseNumber(SCRIPT, 'BACKPROP_CELL_TIMEOUT', env.BACKPROP_CELL_TIMEOUT, 'positive', SECONDS)
      : DEFAULT_CELL_TIMEOUT_S);
  return {
    notebooks: selectNotebooks(dir, positionals),
    dir,
    out: path.resolve(cwd, values.out),
    timeoutS,
    jobs: values.jobs ?? defaultJobs(),
    inplace: values.inplace,
    sandbox: values.sandbox,
    recordSeconds: values['record-seconds'],
  };
}
