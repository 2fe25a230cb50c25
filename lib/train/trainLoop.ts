/**
 * The one training loop of the library. Every trainer (adding problem, key–value retrieval,
 * captioning, the tfjs-layers heads) supplies only what differs — how one step draws its
 * batch and computes the loss and gradients — and the loop does the rest, in this order:
 *
 *   for step = 1 … steps:
 *     { loss, grads } = step(step)                   the caller's batch, forward and backward
 *     g ← g · min(1, clipNorm / ‖g‖)                  global-norm clipping, when clipNorm is set
 *     stop if the loss is not a finite number, if     (NonFiniteError naming step and tensor)
 *       any g is NaN/±Inf, or if Σg² overflows
 *     θ ← Adam(θ, g, lr(step))                        the project's Adam (lib/optim/adam.ts)
 *     stop if any θ is no longer finite               (NonFiniteError naming step and parameter)
 *     record loss; onStep(step, loss); progress
 *     stop early once maxSeconds have passed, or when shouldStop() says so
 *
 * No update is applied before the loss and gradient checks have passed, so a run stopped there
 * leaves the weights of the last good step (a run stopped by the parameter check keeps the
 * failing update, for inspection). The gradients are freed by the loop.
 *
 * With `state`, the run is resumable (lib/train/trainingState.ts): a state found in `state.dir`
 * is restored first (parameters, Adam, the trainer's record) and the loop continues after its
 * step; the state is written every few minutes and when the loop ends or stops early.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../core/random';
import { checkArgs } from '../core/validate';
import { progress as makeProgress, type Progress } from '../display/progress';
import { adam } from '../optim/adam';
import { clipGlobalNorm, globalNorm } from '../optim/clip';
import type { Grads, Params } from '../optim/optimizer';
import type { Schedule } from '../optim/schedules';
import { assertFiniteStep, assertParamsFinite, NonFiniteError } from './guard';
import { hasTrainingState, loadTrainingState, saveTrainingState } from './trainingState';

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
  /** Resumable training: see {@link ResumableState}. */
  state?: ResumableState;
  /** Asked after each step (after onStep): true stops the loop there, e.g. for early stopping. */
  shouldStop?: () => boolean;
}

/**
 * Where and how often a run saves its state. The trainer's own record (log lines, best score)
 * travels with it: `record()` is saved, and `restore(record)` is called with it on resume.
 */
export interface ResumableState {
  dir: string;
  /** Minutes between saves (default 5). */
  everyMinutes?: number;
  record?: () => unknown;
  restore?: (record: unknown) => void;
}

/** Loss of every step run by this call, in order, starting after `resumedAt` (0 for a fresh run). */
export interface LoopHistory {
  losses: number[];
  resumedAt: number;
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
  if (opts.state !== undefined) {
    c.require(
      typeof opts.state.dir === 'string' && opts.state.dir.length > 0,
      "argument 'state.dir' expected a folder",
    );
    if (opts.state.everyMinutes !== undefined) c.number('state.everyMinutes', opts.state.everyMinutes, { min: 0 });
  }
  const lrAt = typeof opts.lr === 'function' ? opts.lr : (): number => opts.lr as number;
  const optimizer = adam({ lr: lrAt(1), ...opts.adam });
  let resumedAt = 0;
  if (opts.state && hasTrainingState(opts.state.dir)) {
    const restored = loadTrainingState(opts.state.dir, params, optimizer);
    resumedAt = restored.step;
    opts.state.restore?.(restored.record);
  }
  const saveState = (s: number): void => {
    if (opts.state) saveTrainingState(opts.state.dir, params, optimizer, s, opts.state.record?.() ?? null);
  };
  const bar: Progress | null =
    opts.progress === false
      ? null
      : makeProgress({ total: opts.steps, label: opts.label ?? 'training', first: resumedAt });
  const losses: number[] = [];
  const start = Date.now();
  let savedAt = Date.now();
  let done = resumedAt;
  try {
    for (let s = resumedAt + 1; s <= opts.steps; s++) {
      const { loss, grads } = step(s);
      let update = grads;
      try {
        if (typeof loss !== 'number') {
          throw new NonFiniteError(`step ${s}: the step returned loss ${String(loss)}, not a number`);
        }
        checkArgs(fn).require(
          grads !== null && typeof grads === 'object' && Object.keys(grads).length > 0,
          `step ${s} returned no gradients`,
        );
        if (opts.clipNorm === undefined) {
          assertFiniteStep(s, loss, globalNorm(grads), grads);
        } else {
          const clipped = clipGlobalNorm(grads, opts.clipNorm);
          update = clipped.grads;
          assertFiniteStep(s, loss, clipped.norm, clipped.grads);
        }
        optimizer.step(params, update, lrAt(s));
        assertParamsFinite(s, params);
      } finally {
        tf.dispose(Object.values(grads));
        if (update !== grads) tf.dispose(Object.values(update));
      }
      losses.push(loss);
      done = s;
      opts.onStep?.(s, loss);
      bar?.update(s, { loss, ...opts.metrics?.() });
      if (opts.state && (Date.now() - savedAt) / 60_000 >= (opts.state.everyMinutes ?? 5)) {
        saveState(s);
        savedAt = Date.now();
      }
      if (opts.maxSeconds !== undefined && (Date.now() - start) / 1000 > opts.maxSeconds) break;
      if (opts.shouldStop?.()) break;
    }
    if (done > resumedAt) saveState(done);
  } finally {
    optimizer.dispose();
    bar?.done();
  }
  return { losses, resumedAt };
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
