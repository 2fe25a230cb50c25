/**
 * Data parallelism for the hand-written trainers: one batch's gradient computed on several cores.
 * tfjs's wasm backend computes on one thread, so a second core needs a second thread. A batch's
 * loss is a weighted mean over its items, so its gradient is a sum over any split of the batch
 * into shards s:
 *
 *   L = Σₙ wₙ ℓₙ / Σₙ wₙ   ⇒   ∇L = (Σₛ Gₛ) / (Σₛ Wₛ),   Gₛ = Σ_{n∈s} wₙ ∇ℓₙ,   Wₛ = Σ_{n∈s} wₙ
 *
 * A shard function returns its weighted loss sum, Wₛ and Gₛ ({@link ShardResult}); it is named by
 * its path on `bp` (`'listener.shardGradients'`), as a closure cannot cross into a thread, and
 * takes plain options (the model's config) and a shard of plain items.
 *
 * How a step runs on T threads: the caller's thread posts shards 1 … T−1 with the current
 * parameters to T−1 worker threads (each with its own backend), computes shard 0 itself, then
 * blocks (Atomics.wait) until each worker signals that its reply is on its port, and reads it
 * synchronously. So the training loop stays synchronous, and a step gives the same result on 1
 * or T threads up to the order of float sums (test/gradientShards.test.ts).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { MessageChannel, MessagePort, Worker, receiveMessageOnPort } from 'worker_threads';
import { projectRoot } from '../core/projectRoot';
import * as bp from '../index';
import { checkArgs } from '../core/validate';
import { NonFiniteError } from './guard';

/** What a shard function gives back (the caller owns `grads`). */
export interface ShardResult {
  /** Σ_{n∈s} wₙ ℓₙ. */
  lossSum: number;
  /** Wₛ = Σ_{n∈s} wₙ (0 when no item of the shard counts). */
  weight: number;
  /** Gₛ by parameter name: the gradient of lossSum. */
  grads: Record<string, tf.Tensor>;
}

/** A shard function: parameters by name, plain options, a shard of plain items. */
export type ShardFunction = (
  params: Record<string, tf.Tensor>,
  options: Record<string, unknown>,
  shard: readonly unknown[],
) => ShardResult;

/** The combined step: L and ∇L of the whole batch. */
export interface CombinedStep {
  loss: number;
  weight: number;
  grads: Record<string, tf.Tensor>;
}

/** Finds `fnPath` on the library's `bp` namespace. */
export function shardFunction(fnPath: string): ShardFunction {
  // The library imports this module too: bp is complete by the time a trainer calls this.
  const found = fnPath
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], bp as unknown);
  if (typeof found !== 'function')
    throw new Error(`gradientShards: expected a function of bp such as 'listener.shardGradients' but got '${fnPath}'`);
  return found as ShardFunction;
}

/** Splits `items` into `parts` contiguous shards of sizes differing by at most one (none empty). */
export function splitIntoShards<T>(items: readonly T[], parts: number): T[][] {
  checkArgs('splitIntoShards')
    .require(Array.isArray(items) && items.length > 0, "argument 'items' expected a non-empty array")
    .number('parts', parts, { integer: true, min: 1 });
  const n = Math.min(parts, items.length);
  return Array.from({ length: n }, (_, k) =>
    items.slice(Math.floor((k * items.length) / n), Math.floor(((k + 1) * items.length) / n)),
  );
}

/** ∇L = Σₛ Gₛ / Σₛ Wₛ and L = Σₛ lossSumₛ / Σₛ Wₛ; frees the shards' gradients. */
export function combineShards(fn: string, results: readonly ShardResult[]): CombinedStep {
  const weight = results.reduce((s, r) => s + r.weight, 0);
  if (!(weight > 0)) {
    results.forEach((r) => tf.dispose(Object.values(r.grads)));
    throw new NonFiniteError(`${fn}: no item of the batch counts (total weight ${weight}): the loss is 0/0`);
  }
  const loss = results.reduce((s, r) => s + r.lossSum, 0) / weight;
  const grads = tf.tidy(() => {
    const out: Record<string, tf.Tensor> = {};
    for (const name of Object.keys(results[0].grads))
      out[name] = tf.div(tf.addN(results.map((r) => r.grads[name])), weight);
    return out;
  });
  results.forEach((r) => tf.dispose(Object.values(r.grads)));
  return { loss, weight, grads };
}

/** A message to a shard worker: the parameters' values and shapes, and its shard. */
export interface ShardRequest {
  params: Record<string, { shape: number[]; values: Float32Array }>;
  shard: readonly unknown[];
}

/** A shard worker's reply. */
export type ShardReply =
  | { lossSum: number; weight: number; grads: Record<string, { shape: number[]; values: Float32Array }> }
  | { error: string };

/** The compiled worker script, whether this module runs compiled or from source (vitest). */
function workerScript(): string {
  const beside = path.join(__dirname, 'gradientShardWorker.js');
  if (fs.existsSync(beside)) return beside;
  const compiled = path.join(projectRoot(), 'dist', 'lib', 'train', 'gradientShardWorker.js');
  if (!fs.existsSync(compiled)) throw new Error(`gradientShards: the worker ${compiled} is missing: run npm run build`);
  return compiled;
}

/** How long the caller waits for a worker's shard before giving up (a step takes seconds). */
const REPLY_TIMEOUT_MS = 15 * 60_000;

/**
 * Computes steps of `fn` over `threads` threads (the caller's and threads − 1 workers). `step`
 * splits the batch, runs the shards and combines them; `close` ends the workers.
 */
export class GradientShards {
  private readonly workers: { worker: Worker; port: MessagePort }[] = [];
  private readonly signal: Int32Array;
  private readonly run: ShardFunction;

  constructor(
    private readonly fn: string,
    private readonly options: Record<string, unknown>,
    readonly threads: number,
  ) {
    checkArgs('GradientShards')
      .require(typeof fn === 'string' && fn.length > 0, `argument 'fn' expected a path on bp but got ${typeof fn}`)
      .number('threads', threads, { integer: true, min: 1 });
    this.run = shardFunction(fn);
    this.signal = new Int32Array(new SharedArrayBuffer(4 * Math.max(1, threads - 1)));
    const script = threads > 1 ? workerScript() : '';
    for (let k = 0; k < threads - 1; k++) {
      const { port1, port2 } = new MessageChannel();
      const worker = new Worker(script, {
        workerData: { fn, options, signal: this.signal, index: k, port: port2 },
        transferList: [port2],
      });
      worker.unref();
      this.workers.push({ worker, port: port1 });
    }
  }

  /** L and ∇L of `batch` under `params` (the caller owns the returned gradients). */
  step(params: Record<string, tf.Tensor>, batch: readonly unknown[]): CombinedStep {
    const shards = splitIntoShards(batch, this.threads);
    const posted = shards.length - 1;
    if (posted > 0) {
      // Copies (slice), not views of the backend's memory: a posted view would clone its whole buffer.
      const values = Object.fromEntries(
        Object.entries(params).map(([name, p]) => [
          name,
          { shape: p.shape, values: p.dataSync().slice() as Float32Array },
        ]),
      );
      for (let k = 0; k < posted; k++) {
        Atomics.store(this.signal, k, 0);
        const request: ShardRequest = { params: values, shard: shards[k + 1] };
        this.workers[k].port.postMessage(request);
      }
    }
    const results: ShardResult[] = [];
    try {
      results.push(this.run(params, this.options, shards[0]));
    } finally {
      // Always collect the posted shards, so a failure here leaves no reply behind for the next step.
      for (let k = 0; k < posted; k++) {
        const reply = this.receive(k);
        if (!('error' in reply)) results.push(fromReply(reply));
        else {
          results.forEach((r) => tf.dispose(Object.values(r.grads)));
          throw new Error(`${this.fn}: shard ${k + 1} failed in a worker thread: ${reply.error}`);
        }
      }
    }
    return combineShards(this.fn, results);
  }

  private receive(k: number): ShardReply {
    if (Atomics.wait(this.signal, k, 0, REPLY_TIMEOUT_MS) === 'timed-out')
      throw new Error(`${this.fn}: worker thread ${k + 1} gave no reply in ${REPLY_TIMEOUT_MS / 60_000} min`);
    const got = receiveMessageOnPort(this.workers[k].port);
    if (!got) throw new Error(`${this.fn}: worker thread ${k + 1} signalled but left no reply`);
    return got.message as ShardReply;
  }

  /** Ends the worker threads. */
  close(): void {
    for (const { worker, port } of this.workers) {
      port.close();
      void worker.terminate();
    }
    this.workers.length = 0;
  }
}

function fromReply(reply: Exclude<ShardReply, { error: string }>): ShardResult {
  const grads: Record<string, tf.Tensor> = {};
  for (const [name, g] of Object.entries(reply.grads)) grads[name] = tf.tensor(g.values, g.shape);
  return { lossSum: reply.lossSum, weight: reply.weight, grads };
}
