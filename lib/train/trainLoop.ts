/**
 * The one training loop of the library. Every trainer (adding problem, key–value retrieval,
 * captioning, the tfjs-layers heads) supplies only what differs — how one step draws its
 * batch and computes the loss and gradients — and the loop does the rest, in this order:
 *
 *   for step = 1 … steps:
 *     { loss, grads } = step(step)                   the caller's batch, forward and backward
 *     g ← g · min(1, clipNorm / ‖g‖)                  global-norm clipping, when clipNorm is set
 *     stop if loss or any g is NaN/±Inf               (NonFiniteError naming step and tensor)
 *     θ ← Adam(θ, g, lr(step))                        the project's Adam (lib/optim/adam.ts)
 *     record loss; onStep(step, loss); progress
 *     stop early once maxSeconds have passed, when set
 *
 * No update is applied before the NaN guard has passed, so a failing run leaves the
 * weights of the last good step. The gradients are freed by the loop.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random';
import { checkArgs } from '../core/validate';
import { progress as makeProgress, type Progress } from '../display/progress';
import { adam } from '../optim/adam';
import { clipGlobalNorm } from '../optim/clip';
import type { Grads, Params } from '../optim/optimizer';
import type { Schedule } from '../optim/schedules';
import { assertFinite, assertFiniteStep } from './guard';

/** What one step gives back: its loss and the gradient of each parameter, by parameter name. */
export interface StepResult {
  loss: number;
  grads: Grads;
}

export interface TrainLoopOptions {
  steps: number;
  /** Learning rate: a number, or a schedule called with the step (1-based). */
  lr: number | Schedule;
  /** Clip the gradients to this global norm (default: no clipping). */
  clipNorm?: number;
  /** Adam's β₁, β₂, ε (defaults 0.9, 0.999, 1e-8). */
  adam?: { beta1?: number; beta2?: number; eps?: number };
  /** Progress label; `progress: false` hides the display (default: shown, labelled 'training'). */
  label?: string;
  progress?: boolean;
  /** Extra numbers for the progress line (e.g. the last validation loss). */
  metrics?: () => Record<string, number>;
  /** Called after each update with the step (1-based) and its loss. */
  onStep?: (step: number, loss: number) => void;
  /** Stop early, after the step that crosses this many seconds of training (default: no limit). */
  maxSeconds?: number;
}

/** Loss of every step, in order. */
export interface LoopHistory {
  losses: number[];
}

/**
 * Runs the loop above over `params` (updated in place; every gradient must name one of them
 * by the time it is applied). `fn` names the calling trainer in argument errors. The step
 * function owns the tensors it creates except `grads`.
 */
export function trainLoop(
  fn: string,
  params: Params,
  opts: TrainLoopOptions,
  step: (step: number) => StepResult,
): LoopHistory {
  const c = checkArgs(fn).number('steps', opts?.steps, { integer: true, min: 1 });
  if (typeof opts.lr !== 'function') c.number('lr', opts.lr, { min: 0, exclusiveMin: true });
  if (opts.clipNorm !== undefined) c.number('clipNorm', opts.clipNorm, { min: 0, exclusiveMin: true });
  if (opts.maxSeconds !== undefined) c.number('maxSeconds', opts.maxSeconds, { min: 0, exclusiveMin: true });
  c.require(params !== null && typeof params === 'object', "argument 'params' expected Record<string, tf.Variable>");
  const lrAt = typeof opts.lr === 'function' ? opts.lr : (): number => opts.lr as number;
  const optimizer = adam({ lr: lrAt(1), ...opts.adam });
  const bar: Progress | null =
    opts.progress === false ? null : makeProgress({ total: opts.steps, label: opts.label ?? 'training' });
  const losses: number[] = [];
  const start = Date.now();
  try {
    for (let s = 1; s <= opts.steps; s++) {
      const { loss, grads } = step(s);
      let update = grads;
      try {
        if (opts.clipNorm === undefined) {
          assertFinite(s, { loss, ...grads });
        } else {
          const clipped = clipGlobalNorm(grads, opts.clipNorm);
          update = clipped.grads;
          assertFiniteStep(s, loss, clipped.norm, clipped.grads);
        }
        optimizer.step(params, update, lrAt(s));
      } finally {
        tf.dispose(Object.values(grads));
        if (update !== grads) tf.dispose(Object.values(update));
      }
      losses.push(loss);
      opts.onStep?.(s, loss);
      bar?.update(s, { loss, ...opts.metrics?.() });
      if (opts.maxSeconds !== undefined && (Date.now() - start) / 1000 > opts.maxSeconds) break;
    }
  } finally {
    optimizer.dispose();
    bar?.done();
  }
  return { losses };
}

/**
 * Minibatches in seeded epochs: epoch e visits 0…N−1 once in a fresh order drawn from the
 * seed, cut into ⌈N / batchSize⌉ batches (the last one may be smaller). Steps are 1-based and
 * must be asked for in order (each epoch's order is drawn when the epoch starts).
 */
export interface EpochBatches {
  stepsPerEpoch: number;
  /** epochs × stepsPerEpoch. */
  steps: number;
  /** The example indices of batch `step`. */
  indices(step: number): number[];
  /** True when `step` is the last batch of its epoch. */
  endsEpoch(step: number): boolean;
}

export function seededEpochBatches(
  fn: string,
  opts: { N: number; batchSize: number; epochs: number; seed: number },
): EpochBatches {
  checkArgs(fn)
    .number('N', opts?.N, { integer: true, min: 1 })
    .number('batchSize', opts.batchSize, { integer: true, min: 1 })
    .number('epochs', opts.epochs, { integer: true, min: 1 })
    .number('seed', opts.seed, { integer: true });
  const { N, batchSize, epochs } = opts;
  const rng = new Rng(opts.seed);
  const stepsPerEpoch = Math.ceil(N / batchSize);
  let epoch = -1;
  let order: number[] = [];
  return {
    stepsPerEpoch,
    steps: epochs * stepsPerEpoch,
    indices(step) {
      const e = Math.floor((step - 1) / stepsPerEpoch);
      if (e === epoch + 1) {
        order = rng.permutation(N);
        epoch = e;
      }
      checkArgs(fn).require(
        e === epoch,
        `seededEpochBatches: step ${step} asked out of order (the current epoch is ${epoch + 1})`,
      );
      const b = (step - 1) % stepsPerEpoch;
      return order.slice(b * batchSize, (b + 1) * batchSize);
    },
    endsEpoch: (step) => step % stepsPerEpoch === 0,
  };
}
