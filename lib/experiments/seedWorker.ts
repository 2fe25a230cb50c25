/**
 * The worker thread of {@link runSeedTaskInThreads}: initialises its own backend, then runs the
 * task (`workerData`) for every seed the parent posts and replies with the result or the error.
 */
import { parentPort, workerData } from 'worker_threads';
import { initBackend } from '../backend/backend';
import { seedTask, type SeedTask, type SeedWorkerReply } from './seedThreads';

const task = workerData as SeedTask;
const run = seedTask(task.fn, task.options);
const ready = initBackend({ quiet: true });

parentPort!.on('message', async (seed: number) => {
  let reply: SeedWorkerReply;
  try {
    await ready;
    reply = { seed, result: await run(seed) };
  } catch (e) {
    reply = { seed, error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
  }
  parentPort!.postMessage(reply);
});
