/**
 * Training and evaluating the CTC recognizer of {@link speechRecognizerForward}: length-
 * bucketed seeded minibatches, per-character CTC loss and the hand backward; the library's one
 * training loop (lib/train/trainLoop.ts) clips, stops on NaN/Inf naming the step, and applies
 * Adam. Greedy decoding is scored by character error rate.
 *
 * Loss of a batch (the mean over its utterances of the per-character NLL):
 *
 *   L = (1/N') Σₙ −log p(lₙ | xₙ) / |lₙ|,   so   ∂L/∂lossₙ = 1 / (N' · |lₙ|)
 *
 * over the N' utterances that have at least one alignment (an utterance too short for its
 * transcript has loss +∞; it is counted in `skipped` and gets no gradient). A shard of the batch
 * gives the sums Σ −log p / |l| and N'ₛ with the gradient of the first, so with `threads` > 1 the
 * batch is split over threads and L = Σₛ sumₛ / Σₛ N'ₛ (lib/train/gradientShards.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { NonFiniteError } from '../../train/guard';
import { checkArgs } from '../../core/validate';
import { specAugment, type SpecAugmentOptions } from '../../audio/specAugment';
import { ctcLoss, ctcLossBackward } from '../../losses/ctc';
import { ctcGreedyDecode } from '../../decode/ctcGreedy';
import { Schedule } from '../../optim/schedules';
import { combineShards, GradientShards, type ShardResult } from '../../train/gradientShards';
import { trainLoop, type ResumableState } from '../../train/trainLoop';
import { stepRng } from '../../train/trainingState';
import { lengthBucketedBatches } from '../../train/lengthBuckets';
import {
  SpeechRecognizerConfig,
  SpeechRecognizerParams,
  recognizerDefaults,
  speechRecognizerForward,
  speechRecognizerBackward,
} from './recognizer';

/** One utterance: features row-major [frames, dim] (already normalised) and its label ids. */
export interface SpeechUtterance {
  features: Float32Array;
  frames: number;
  labels: number[];
}

/** Zero-padded batch x [N, max frames, F] of some utterances, with their lengths and labels. */
export function speechBatch(
  utts: readonly SpeechUtterance[],
  featureDim: number,
): { x: tf.Tensor3D; lengths: number[]; labels: number[][] } {
  const c = checkArgs('speechBatch')
    .number('featureDim', featureDim, { integer: true, min: 1 })
    .require(Array.isArray(utts) && utts.length > 0, "argument 'utts' expected at least one utterance");
  utts.forEach((u, i) =>
    c.require(
      u.frames >= 1 && u.features.length === u.frames * featureDim,
      `utterance ${i} expected features of frames·F = ${u.frames}·${featureDim} values but got ${u.features.length}`,
    ),
  );
  const T = Math.max(...utts.map((u) => u.frames));
  const data = new Float32Array(utts.length * T * featureDim);
  utts.forEach((u, n) => data.set(u.features, n * T * featureDim));
  return {
    x: tf.tensor3d(data, [utts.length, T, featureDim]),
    lengths: utts.map((u) => u.frames),
    labels: utts.map((u) => u.labels),
  };
}

export interface RecognizerStep {
  /** Mean per-character CTC loss over the batch's feasible utterances. */
  loss: number;
  /** Utterances with no alignment (loss +∞), left out of the loss and gradient. */
  skipped: number;
}

/**
 * The sums behind one batch's loss, for data parallelism (lib/train/gradientShards.ts): over the
 * shard's utterances with an alignment, lossSum = Σₙ −log p(lₙ | xₙ) / |lₙ|, weight = their count
 * N'ₛ, and the gradients of lossSum (forward, CTC, hand backward). `options.config` is the model's.
 * Leaves no tensors behind but `grads`, which the caller owns.
 */
export function recognizerShardGradients(
  params: SpeechRecognizerParams | Record<string, tf.Tensor>,
  options: { config: SpeechRecognizerConfig },
  shard: readonly SpeechUtterance[],
): ShardResult & { skipped: number } {
  const cfg = recognizerDefaults(options?.config);
  const { x, lengths, labels } = speechBatch(shard, cfg.featureDim);
  const f = speechRecognizerForward(params as SpeechRecognizerParams, cfg, x, lengths);
  x.dispose();
  const { loss, cache } = ctcLoss(f.logits, labels, f.outLengths);
  const l = loss.dataSync();
  loss.dispose();
  f.logits.dispose();
  const feasible = labels.map((_, n) => Number.isFinite(l[n]));
  const weights = labels.map((lab, n) => (feasible[n] ? 1 / Math.max(lab.length, 1) : 0));
  const lossSum = labels.reduce((sum, _, n) => sum + (feasible[n] ? weights[n] * l[n] : 0), 0);
  const dloss = tf.tensor1d(weights);
  const { dlogits } = ctcLossBackward(dloss, cache);
  const grads = speechRecognizerBackward(dlogits, f.cache);
  tf.dispose([dloss, dlogits, f.cache]);
  const count = feasible.filter(Boolean).length;
  return { lossSum, weight: count, grads, skipped: labels.length - count };
}

/**
 * Loss and gradients of one batch (no update: the training loop clips and applies them), on
 * `shards` when given (the batch split over its threads) or else in this thread — the same
 * numbers up to float summation order. Leaves no tensors behind but `grads`, which the caller owns.
 */
export function recognizerLossAndGrads(
  params: SpeechRecognizerParams,
  config: SpeechRecognizerConfig,
  batch: readonly SpeechUtterance[],
  shards?: GradientShards,
): RecognizerStep & { grads: Record<string, tf.Tensor> } {
  checkArgs('recognizerLossAndGrads').require(
    shards === undefined || shards instanceof GradientShards,
    `shards must be a GradientShards or undefined, got ${shards === null ? 'null' : typeof shards}`,
  );
  const one = shards ? null : recognizerShardGradients(params, { config }, batch);
  if (one?.weight === 0) {
    tf.dispose(Object.values(one.grads));
    throw new NonFiniteError(
      `recognizerLossAndGrads: no utterance of the batch (${batch.length}) ` +
        `has a CTC alignment in its frames: the loss is +∞ for all of them`,
    );
  }
  const { loss, weight, grads } = one ? combineShards('recognizerLossAndGrads', [one]) : shards!.step(params, batch);
  return { loss, skipped: batch.length - weight, grads };
}

export interface TrainRecognizerOptions {
  steps: number;
  batchSize: number;
  /** Learning rate, constant or a schedule of the step (0-based). */
  lr: number | Schedule;
  /** Global-norm clip (default 5). */
  maxNorm?: number;
  seed: number;
  /** Progress label (default 'recognizer'); `false` shows none. */
  progress?: string | false;
  /** Called after every step (0-based) with its loss and skipped count (e.g. to log, evaluate or checkpoint). */
  onStep?: (step: number, s: RecognizerStep) => void;
  /** Stop early, after the step that crosses this many seconds (default: no limit). */
  maxSeconds?: number;
  /** SpecAugment masks drawn per utterance from stepRng(seed, step) (default: none). */
  augment?: SpecAugmentOptions;
  /** Resumable training (trainLoop's `state`): the run continues from the state in `state.dir`. */
  state?: ResumableState;
  /** Asked after every step: true stops training there (early stopping). */
  shouldStop?: () => boolean;
  /** Threads that share each batch (lib/train/gradientShards.ts; default 1: this thread alone). */
  threads?: number;
}

/**
 * Trains `params` in place through trainLoop; returns the loss of every step done by this call
 * (after `resumedAt` steps restored from `opts.state`) and the seconds taken.
 */
export function trainSpeechRecognizer(
  params: SpeechRecognizerParams,
  config: SpeechRecognizerConfig,
  train: readonly SpeechUtterance[],
  opts: TrainRecognizerOptions,
): { losses: number[]; seconds: number; resumedAt: number } {
  checkArgs('trainSpeechRecognizer')
    .number('steps', opts?.steps, { integer: true, min: 1 })
    .number('seed', opts.seed, { integer: true })
    .number('threads', opts.threads ?? 1, { integer: true, min: 1 });
  const schedule = lengthBucketedBatches(
    train.map((u) => u.frames),
    opts.batchSize,
    opts.seed,
  );
  const featureDim = recognizerDefaults(config).featureDim;
  const lrOf = (step: number): number => (typeof opts.lr === 'number' ? opts.lr : opts.lr(step));
  let last: RecognizerStep = { loss: NaN, skipped: 0 };
  let current = 0;
  const start = Date.now();
  const threads = opts.threads ?? 1;
  const shards = threads > 1 ? new GradientShards('listener.shardGradients', { config }, threads) : undefined;
  try {
    const { losses, resumedAt } = trainLoop(
      'trainSpeechRecognizer',
      params,
      {
        steps: opts.steps,
        lr: (s) => lrOf(s - 1),
        clipNorm: opts.maxNorm ?? 5,
        maxSeconds: opts.maxSeconds,
        progress: opts.progress !== false,
        label: opts.progress === false ? undefined : (opts.progress ?? 'recognizer'),
        metrics: () => ({ lr: lrOf(current) }),
        onStep: (s) => opts.onStep?.(s - 1, last),
        state: opts.state,
        shouldStop: opts.shouldStop,
      },
      (s) => {
        current = s - 1;
        const rng = stepRng(opts.seed, s);
        const batch = schedule.batchAt(s - 1).map((i) => {
          const u = train[i];
          if (!opts.augment) return u;
          return { ...u, features: specAugment(u.features, u.frames, featureDim, rng, opts.augment) };
        });
        const { grads, ...step } = recognizerLossAndGrads(params, config, batch, shards);
        last = step;
        return { loss: step.loss, grads };
      },
    );
    return { losses, seconds: (Date.now() - start) / 1000, resumedAt };
  } finally {
    shards?.close();
  }
}

/** A CTC decoder: logits [N, T, C] and each sequence's frames → N label sequences. */
export type CtcDecoder = (logits: tf.Tensor, lengths: number[]) => number[][];

/** Greedy (best-path) decoding as a {@link CtcDecoder}. */
export const greedyDecoder: CtcDecoder = (logits, lengths) => ctcGreedyDecode(logits, lengths);

/**
 * Transcripts (label ids) of utterances by each of `decoders` from one forward pass, in
 * batches of `batchSize` sorted by length: result[d][u] is decoder d's labels of utterance u.
 */
export function recognizeEach(
  params: SpeechRecognizerParams,
  config: SpeechRecognizerConfig,
  utts: readonly { features: Float32Array; frames: number }[],
  decoders: readonly CtcDecoder[],
  batchSize = 16,
): number[][][] {
  checkArgs('recognizeEach')
    .require(
      Array.isArray(decoders) && decoders.length > 0 && decoders.every((d) => typeof d === 'function'),
      "argument 'decoders' expected a non-empty array of decoder functions",
    )
    .number('batchSize', batchSize, { integer: true, min: 1 });
  const cfg = recognizerDefaults(config);
  const order = utts.map((_, i) => i).sort((a, b) => utts[a].frames - utts[b].frames);
  const out = decoders.map(() => new Array<number[]>(utts.length));
  for (let b = 0; b < order.length; b += batchSize) {
    const idx = order.slice(b, b + batchSize);
    const { x, lengths } = speechBatch(
      idx.map((i) => ({ ...utts[i], labels: [] })),
      cfg.featureDim,
    );
    const f = speechRecognizerForward(params, cfg, x, lengths);
    decoders.forEach((decode, d) => {
      const decoded = decode(f.logits, f.outLengths);
      checkArgs('recognizeEach').require(
        Array.isArray(decoded) && decoded.length === idx.length,
        `decoder ${d} expected to return ${idx.length} label sequences but returned ` +
          `${Array.isArray(decoded) ? decoded.length : typeof decoded}`,
      );
      idx.forEach((i, k) => (out[d][i] = decoded[k]));
    });
    tf.dispose([x, f.logits, f.cache]);
  }
  return out;
}

/** Greedy transcripts (label ids) of utterances ({@link recognizeEach} with the greedy decoder). */
export function recognize(
  params: SpeechRecognizerParams,
  config: SpeechRecognizerConfig,
  utts: readonly { features: Float32Array; frames: number }[],
  batchSize = 16,
): number[][] {
  return recognizeEach(params, config, utts, [greedyDecoder], batchSize)[0];
}
