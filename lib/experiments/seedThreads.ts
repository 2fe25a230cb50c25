/**
 * Seeds on several cores. tfjs's wasm backend computes on one thread, so independent runs of
 * an experiment (one per seed) can only use a second core from a second thread. A closure
 * written in a notebook cannot cross into a worker thread, so a thread-able experiment is named
 * instead: a library function by its path on `bp` (`'sequenceTasks.compareAddingProblemCells'`)
 * and options that can be copied (numbers, strings, arrays, plain objects; no tensors). Each
 * worker loads the library, initialises its own backend and calls `fn({ ...options, seed })`.
 *
 * The same task runs in the calling thread when one thread is asked for, so a run gives the same
 * numbers either way (the function must take all of its randomness from `seed`; test/seeds.test.ts
 * checks it).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { projectRoot } from '../core/projectRoot';
import { checkArgs } from '../core/validate';

/** The library function a {@link SeedTask} calls, looked up by its path on `bp` (and only there). */
type LibraryFunction = (options: Record<string, unknown>) => unknown;

/** An experiment as a named library function and the options of every run but its seed. */
export interface SeedTask {
  /** The function's path on `bp`, e.g. `'sequenceTasks.compareAddingProblemCells'`. */
  fn: string;
  /** Its options except `seed` (copied into each worker: no tensors or functions). */
  options: Record<string, unknown>;
}

/** A task described by {@link seedTask}: callable with a seed, and carrying its name for workers. */
export type SeedTaskExperiment<R> = ((seed: number) => Promise<R>) & { task: SeedTask };

/** Finds `fnPath` on the library's `bp` namespace (loaded on first use: this module is part of it). */
async function libraryFunction(fnPath: string): Promise<LibraryFunction> {
  const bp = (await import('../index')) as unknown as Record<string, unknown>;
  const found = fnPath.split('.').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], bp);
  if (typeof found !== 'function')
    throw new Error(`seedTask: argument 'fn' expected a function of bp such as 'sequenceTasks.x' but got '${fnPath}'`);
  return found as LibraryFunction;
}

/**
 * An experiment `seed ↦ bp.<fn>({ ...options, seed })` that {@link runSeeds} can also hand to
 * worker threads (`threads` option):
 *
 * ```ts
 * await bp.runSeeds([1, 2, 3], bp.seedTask('sequenceTasks.compareAddingProblemCells', budget), { threads: 2 })
 * ```
 */
export function seedTask<R = unknown>(fn: string, options: Record<string, unknown> = {}): SeedTaskExperiment<R> {
  checkArgs('seedTask')
    .require(typeof fn === 'string' && fn.length > 0, `argument 'fn' expected a path on bp but got ${typeof fn}`)
    .require(
      options !== null && typeof options === 'object' && !Array.isArray(options),
      `argument 'options' expected a plain object of options but got ` +
        `${Array.isArray(options) ? 'an array' : typeof options}`,
    )
    .require(!('seed' in options), "argument 'options' must not hold 'seed': runSeeds passes each run's seed");
  const run = async (seed: number): Promise<R> => (await (await libraryFunction(fn))({ ...options, seed })) as R;
  return Object.assign(run, { task: { fn, options } });
}

/**
 * Threads a notebook's seeds may use: `BACKPROP_SEED_THREADS` when set (the notebook runner
 * sets it to its cores per notebook), else the machine's cores.
 */
export function defaultSeedThreads(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.BACKPROP_SEED_THREADS;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`defaultSeedThreads: BACKPROP_SEED_THREADS expected a positive integer but got '${raw}'`);
    return n;
  }
  return os.availableParallelism();
}

/** The compiled worker script (dist/), whether this module runs compiled or from source (vitest). */
function workerScript(): string {
  const beside = path.join(__dirname, 'seedWorker.js');
  if (fs.existsSync(beside)) return beside;
  const compiled = path.join(projectRoot(), 'dist', 'lib', 'experiments', 'seedWorker.js');
  if (!fs.existsSync(compiled)) throw new Error(`runSeeds: the seed worker ${compiled} is missing: run npm run build`);
  return compiled;
}

/** What a worker posts back for one seed. */
export type SeedWorkerReply = { seed: number; result: unknown } | { seed: number; error: string };

/**
 * Runs `task` once per seed on up to `threads` worker threads (each takes the next seed when it
 * finishes one) and returns the results in the order of `seeds`; `onDone` is called as each
 * finishes. A run that throws stops all workers and rejects, naming the seed.
 */
export async function runSeedTaskInThreads(
  seeds: readonly number[],
  task: SeedTask,
  threads: number,
  onDone: (finished: number) => void,
): Promise<unknown[]> {
  const script = workerScript();
  const results = new Map<number, unknown>();
  let next = 0;
  const workers: Worker[] = [];
  try {
    await Promise.all(
      Array.from({ length: Math.min(threads, seeds.length) }, () => {
        const worker = new Worker(script, { workerData: task, stdout: true, stderr: true });
        workers.push(worker);
        worker.stdout.resume(); // the runs' own progress lines: the caller shows one bar for all seeds
        let stderr = '';
        worker.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
        return new Promise<void>((resolve, reject) => {
          const give = (): void => {
            if (next < seeds.length) worker.postMessage(seeds[next++]);
            else resolve();
          };
          worker.on('message', (reply: SeedWorkerReply) => {
            if ('error' in reply) {
              reject(new Error(`runSeeds: the run with seed ${reply.seed} failed in a worker thread: ${reply.error}`));
              return;
            }
            results.set(reply.seed, reply.result);
            onDone(results.size);
            give();
          });
          worker.on('error', (e) => reject(new Error(`runSeeds: a worker thread failed: ${e.message}`)));
          worker.on('exit', (code) => {
            if (code !== 0) reject(new Error(`runSeeds: a worker thread exited with code ${code}: ${stderr.trim()}`));
          });
          give();
        });
      }),
    );
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return seeds.map((s) => results.get(s));
}
