/**
 * Training and evaluation of the multimodal models, all through the library's one training loop
 * (lib/train/trainLoop.ts: clipping, NaN guard, Adam, progress) with the Noam schedule scaled to
 * peak at `peakLr` (noamSchedule, lib/optim/schedules.ts).
 */
import { Rng, type RngSnapshot } from '../../core/random';
import { checkArgs } from '../../core/validate';
import type { MultimodalUtterance } from '../../data/multimodalEmotion';
import { characterErrorRate } from '../../metrics/editDistance';
import { binaryCounts, metricOf, tuneThresholds, type TunedMetric } from '../../metrics/classification';
import { noamSchedule } from '../../optim/schedules';
import { seededEpochBatches, trainLoop } from '../../train/trainLoop';
import * as tf from '@tensorflow/tfjs';
import { asrGreedyDecode } from './asrDecoder';
import {
  MultimodalAudioStats,
  disposeMultimodalBatch,
  makeMultimodalBatch,
  MultimodalBatch,
  MultimodalVocab,
} from './batch';
import {
  crossModalEncoderForward,
  disposeEncoderCache,
  CrossModalEncoderConfig,
  ModalityWeights,
  MultimodalParams,
} from './crossModalEncoder';
import { speakerLogits } from './heads';
import { LateFusionConfig, lateFusionLoss } from './lateFusionGru';
import { emotionLoss, pretrainLoss, PretrainTasks } from './transformer';

/** What the models need besides the utterances: vocabularies and the audio statistics. */
export interface MultimodalContext {
  vocab: MultimodalVocab;
  stats: MultimodalAudioStats;
}

export interface MultimodalTrainOptions {
  steps: number;
  batchSize: number;
  seed: number;
  warmup: number;
  peakLr: number;
  label?: string;
  progress?: boolean;
  /**
   * Resumable training (lib/train/trainLoop.ts): the state, with the batch order's position, the
   * dropout generator's stream and the loss curves, is saved in `state.dir` every few minutes and
   * restored from it, so a resumed run ends with the same weights as an uninterrupted one.
   */
  state?: { dir: string; everyMinutes?: number };
  /** Stop after the step that crosses this many seconds (the state is saved). */
  maxSeconds?: number;
  /** Asked after each step: true stops there (the state is saved). */
  shouldStop?: () => boolean;
}

/** A trainer's own numbers that travel with the saved state (per-task loss curves). */
interface CurveRecord {
  record: () => number[][];
  restore: (curves: number[][]) => void;
}

interface SavedMultimodalRecord {
  rng: RngSnapshot;
  losses: number[];
  curves: number[][];
  seconds: number;
}

/**
 * Minibatches of similar lengths (less padding: attention costs grow with the longest utterance
 * of a batch, a GRU runs as many steps as it has frames): utterances sorted by frames plus a
 * seeded jitter of up to 4 frames, cut into batches; each epoch visits the batches in a fresh
 * seeded order.
 */
export function utteranceLengthBuckets(utts: readonly MultimodalUtterance[], batchSize: number, rng: Rng): number[][] {
  const keyed = utts.map((u, i) => ({ i, key: u.audio.rows + 4 * rng.uniform() })).sort((a, b) => a.key - b.key);
  const out: number[][] = [];
  for (let b = 0; b < keyed.length; b += batchSize) out.push(keyed.slice(b, b + batchSize).map((k) => k.i));
  return out;
}

/**
 * Runs `lossOf(batch, rng)` over seeded minibatches of `utts` in the training loop; returns the
 * loss of every step from the first and the seconds of training (a resumed run's earlier ones
 * included), and whether every planned step is done.
 */
function train(
  fn: string,
  p: MultimodalParams,
  utts: readonly MultimodalUtterance[],
  ctx: MultimodalContext,
  dModel: number,
  opts: MultimodalTrainOptions,
  lossOf: (batch: MultimodalBatch, rng: Rng) => { loss: number; grads: Record<string, tf.Tensor> },
  curves?: CurveRecord,
): { losses: number[]; seconds: number; finished: boolean } {
  checkArgs(fn)
    .number('steps', opts?.steps, { integer: true, min: 1 })
    .number('batchSize', opts.batchSize, { integer: true, min: 1 })
    .require(utts.length >= opts.batchSize, `${utts.length} utterances, fewer than one batch of ${opts.batchSize}`);
  const rng = new Rng(opts.seed + 7919);
  const buckets = utteranceLengthBuckets(utts, opts.batchSize, rng);
  const order = seededEpochBatches(fn, {
    N: buckets.length,
    batchSize: 1,
    epochs: Math.ceil(opts.steps / buckets.length),
    seed: opts.seed,
  });
  const losses: number[] = [];
  const start = Date.now();
  let secondsBefore = 0;
  const seconds = (): number => secondsBefore + (Date.now() - start) / 1000;
  // The batch order is drawn epoch by epoch as steps are asked for: a resumed run replays it.
  let asked = 0;
  const batchOf = (step: number): number[] => {
    while (asked < step - 1) order.indices(++asked);
    asked = step;
    return buckets[order.indices(step)[0]];
  };
  trainLoop(
    fn,
    p,
    {
      steps: opts.steps,
      lr: noamSchedule({ dModel, warmup: opts.warmup, peakLr: opts.peakLr }),
      clipNorm: 1,
      label: opts.label,
      progress: opts.progress,
      maxSeconds: opts.maxSeconds,
      shouldStop: opts.shouldStop,
      onStep: (_, loss) => void losses.push(loss),
      state: opts.state && {
        dir: opts.state.dir,
        everyMinutes: opts.state.everyMinutes,
        record: (): SavedMultimodalRecord => ({
          rng: rng.snapshot(),
          losses: [...losses],
          curves: curves?.record() ?? [],
          seconds: seconds(),
        }),
        restore: (saved) => {
          const r = saved as SavedMultimodalRecord;
          rng.restore(r.rng);
          losses.push(...r.losses);
          curves?.restore(r.curves);
          secondsBefore = r.seconds - (Date.now() - start) / 1000;
        },
      },
    },
    (step) => {
      const batch = makeMultimodalBatch(
        batchOf(step).map((i) => utts[i]),
        ctx.vocab,
        ctx.stats,
      );
      try {
        return lossOf(batch, rng);
      } finally {
        disposeMultimodalBatch(batch);
      }
    },
  );
  return { losses, seconds: seconds(), finished: losses.length === opts.steps };
}

export interface PretrainHistory {
  losses: number[];
  asrLosses: number[];
  speakerLosses: number[];
  /** Seconds of training, resumed runs' earlier ones included. */
  seconds: number;
  /** Every planned step is done (false when stopped early: resume it). */
  finished: boolean;
}

/** Multi-task pre-training on `utts` (transcripts and speaker ids). */
export function trainPretrain(
  p: MultimodalParams,
  utts: readonly MultimodalUtterance[],
  ctx: MultimodalContext,
  cfg: CrossModalEncoderConfig,
  opts: MultimodalTrainOptions & { tasks: PretrainTasks; weights: ModalityWeights },
): PretrainHistory {
  const asrLosses: number[] = [],
    speakerLosses: number[] = [];
  const { losses, seconds, finished } = train(
    'trainPretrain',
    p,
    utts,
    ctx,
    cfg.E,
    opts,
    (batch, rng) => {
      const r = pretrainLoss(p, batch, cfg, { tasks: opts.tasks, weights: opts.weights, rng });
      asrLosses.push(r.asrLoss);
      speakerLosses.push(r.speakerLoss);
      return r;
    },
    {
      record: () => [[...asrLosses], [...speakerLosses]],
      restore: ([asr, speaker]) => {
        asrLosses.push(...asr);
        speakerLosses.push(...speaker);
      },
    },
  );
  return { losses, asrLosses, speakerLosses, seconds, finished };
}

/** Emotion training (weighted BCE with posWeight = negatives / positives of the training labels). */
export function trainEmotionTransformer(
  p: MultimodalParams,
  utts: readonly MultimodalUtterance[],
  ctx: MultimodalContext,
  cfg: CrossModalEncoderConfig,
  opts: MultimodalTrainOptions & { weights: ModalityWeights },
): number[] {
  const posWeight = emotionPositiveWeights(utts);
  return train('trainEmotionTransformer', p, utts, ctx, cfg.E, opts, (batch, rng) =>
    emotionLoss(p, batch, cfg, { weights: opts.weights, posWeight, rng }),
  ).losses;
}

/** Emotion training of the late-fusion BiGRU baseline (same loss, schedule and loop). */
export function trainLateFusion(
  p: MultimodalParams,
  utts: readonly MultimodalUtterance[],
  ctx: MultimodalContext,
  cfg: LateFusionConfig,
  opts: MultimodalTrainOptions,
): number[] {
  const posWeight = emotionPositiveWeights(utts);
  return train('trainLateFusion', p, utts, ctx, cfg.hidden, opts, (batch) => lateFusionLoss(p, batch, cfg, posWeight))
    .losses;
}

/** p_k = (#negatives of emotion k) / (#positives), from the binarised labels (1 when a label never occurs). */
export function emotionPositiveWeights(utts: readonly MultimodalUtterance[]): number[] {
  checkArgs('emotionPositiveWeights').require(
    utts.length > 0 && utts.every((u) => u.labels),
    'expected labelled utterances',
  );
  return Array.from({ length: 6 }, (_, k) => {
    const pos = utts.filter((u) => u.labels![k] > 0).length;
    return pos === 0 ? 1 : (utts.length - pos) / pos;
  });
}

/** Calls `fn` on batches of up to `size` utterances of similar length; returns its rows in the order of `utts`. */
export function inMultimodalBatches<T>(
  utts: readonly MultimodalUtterance[],
  ctx: MultimodalContext,
  size: number,
  fn: (batch: MultimodalBatch) => T[],
): T[] {
  const order = utts
    .map((u, i) => ({ i, n: u.audio.rows }))
    .sort((a, b) => a.n - b.n)
    .map((o) => o.i);
  const out: T[] = new Array(utts.length);
  for (let s = 0; s < order.length; s += size) {
    const idx = order.slice(s, s + size);
    const batch = makeMultimodalBatch(
      idx.map((i) => utts[i]),
      ctx.vocab,
      ctx.stats,
    );
    try {
      fn(batch).forEach((row, j) => (out[idx[j]] = row));
    } finally {
      disposeMultimodalBatch(batch);
    }
  }
  return out;
}

/** Held-out pre-training metrics: greedy-decoding CER and speaker accuracy (with the pre-training joint weights). */
export function evaluatePretrain(
  p: MultimodalParams,
  utts: readonly MultimodalUtterance[],
  ctx: MultimodalContext,
  cfg: CrossModalEncoderConfig,
  weights: ModalityWeights,
  tasks: PretrainTasks,
): { cer: number; speakerAccuracy: number; examples: { ref: string; hyp: string }[] } {
  const rows = inMultimodalBatches(utts, ctx, 64, (batch) => {
    const enc = crossModalEncoderForward(p, batch, { cfg, weights, training: false });
    const hyps =
      tasks.asr > 0
        ? asrGreedyDecode(p, enc.joint, batch.frameKeys, cfg, 60).map((s) => s.map((c) => ctx.vocab.chars[c]).join(''))
        : batch.lengths.map(() => '');
    const spk =
      tasks.speaker > 0
        ? (tf.tidy(() => tf.argMax(speakerLogits(p, enc.joint, batch.frameValid), 1)).arraySync() as number[])
        : batch.lengths.map(() => -1);
    tf.dispose([enc.joint, enc.textAttention, enc.visualAttention].filter((t) => t !== null) as tf.Tensor[]);
    disposeEncoderCache(enc.cache);
    return hyps.map((h, i) => ({ hyp: h, speaker: spk[i] }));
  });
  const refs = utts.map((u) => u.text);
  return {
    cer:
      tasks.asr > 0
        ? characterErrorRate(
            refs,
            rows.map((r) => r.hyp),
          ).rate
        : NaN,
    speakerAccuracy:
      tasks.speaker > 0 ? rows.filter((r, i) => r.speaker === utts[i].speakerIndex).length / utts.length : NaN,
    examples: rows.slice(0, 4).map((r, i) => ({ ref: refs[i], hyp: r.hyp })),
  };
}

/**
 * Per-emotion test scores, each metric at thresholds tuned on dev for that metric: weighted
 * accuracy (WA), weighted F1 (F1w, the paper's F1: both classes' F1 weighted by support) and
 * positive-class F1 (F1+). The same on dev (what selects a model), and the test decisions
 * (0/1 per utterance and emotion, per metric) for paired comparisons on the same utterances.
 */
export interface EmotionScores {
  wa: number[];
  f1w: number[];
  f1: number[];
  devWa: number[];
  devF1w: number[];
  devF1: number[];
  testDecisions: Record<EmotionMetric, number[][]>;
}

/** The three emotion metrics: weighted accuracy, weighted F1 (the paper's), positive-class F1. */
export type EmotionMetric = 'WA' | 'F1w' | 'F1';

export const EMOTION_METRICS: Record<EmotionMetric, TunedMetric> = {
  WA: 'weightedAccuracy',
  F1w: 'weightedF1',
  F1: 'f1',
};

const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/**
 * `metric` of emotion k for 0/1 `decisions[n][k]` against `truth[n][k]`, counted over the
 * utterances `items` (indices; repeats count, as in a bootstrap resample), averaged over emotions.
 */
export function averageEmotionMetric(
  decisions: readonly (readonly number[])[],
  truth: readonly (readonly number[])[],
  metric: EmotionMetric,
  items: readonly number[] = decisions.map((_, n) => n),
): number {
  const K = truth[0]?.length ?? 0;
  let sum = 0;
  for (let k = 0; k < K; k++) {
    const c = { tp: 0, fp: 0, tn: 0, fn: 0 };
    for (const n of items) {
      const p = decisions[n][k] === 1;
      const t = truth[n][k] === 1;
      if (p && t) c.tp++;
      else if (p) c.fp++;
      else if (t) c.fn++;
      else c.tn++;
    }
    sum += metricOf(c, EMOTION_METRICS[metric]);
  }
  return sum / K;
}

export function emotionScores(
  dev: { probs: number[][]; truth: number[][] },
  test: { probs: number[][]; truth: number[][] },
): EmotionScores {
  checkArgs('emotionScores').require(
    dev?.probs?.length === dev.truth.length &&
      test?.probs?.length === test.truth.length &&
      dev.probs.length > 0 &&
      test.probs.length > 0,
    'dev and test need as many probability rows as label rows',
  );
  const grid = Array.from({ length: 49 }, (_, i) => (i + 1) / 50);
  const decide = (probs: number[][], th: number[]): number[][] =>
    probs.map((r) => r.map((p, k) => (p >= th[k] ? 1 : 0)));
  const perEmotion = (set: typeof dev, th: number[], metric: TunedMetric): number[] =>
    th.map((_, k) =>
      metricOf(
        binaryCounts(
          decide(set.probs, th).map((r) => r[k]),
          set.truth.map((r) => r[k]),
        ),
        metric,
      ),
    );
  const th = Object.fromEntries(
    (Object.entries(EMOTION_METRICS) as [EmotionMetric, TunedMetric][]).map(([name, metric]) => [
      name,
      tuneThresholds(dev.probs, dev.truth, { metric, thresholds: grid }),
    ]),
  ) as Record<EmotionMetric, number[]>;
  return {
    wa: perEmotion(test, th.WA, 'weightedAccuracy'),
    f1w: perEmotion(test, th.F1w, 'weightedF1'),
    f1: perEmotion(test, th.F1, 'f1'),
    devWa: perEmotion(dev, th.WA, 'weightedAccuracy'),
    devF1w: perEmotion(dev, th.F1w, 'weightedF1'),
    devF1: perEmotion(dev, th.F1, 'f1'),
    testDecisions: { WA: decide(test.probs, th.WA), F1w: decide(test.probs, th.F1w), F1: decide(test.probs, th.F1) },
  };
}

/** Binary targets (Likert > 0) of labelled utterances. */
export function emotionTargets(utts: readonly MultimodalUtterance[]): number[][] {
  return utts.map((u) => u.labels!.map((l) => (l > 0 ? 1 : 0)));
}

/** The flat metrics of one run: WA, F1w and F1 per emotion and their averages (test and dev). */
export function flattenEmotionScores(s: EmotionScores, emotions: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  emotions.forEach((e, k) => {
    out[`${e} WA`] = s.wa[k];
    out[`${e} F1w`] = s.f1w[k];
    out[`${e} F1`] = s.f1[k];
  });
  return {
    ...out,
    'avg WA': mean(s.wa),
    'avg F1w': mean(s.f1w),
    'avg F1': mean(s.f1),
    'dev avg WA': mean(s.devWa),
    'dev avg F1w': mean(s.devF1w),
    'dev avg F1': mean(s.devF1),
  };
}
