/**
 * Notebook 08's experiments in the layout of Khare et al.'s tables: one seed of an emotion model
 * (train, then score every modality condition), and the tables over seeds — per emotion WA,
 * weighted F1 (the paper's F1) and positive-class F1 of the one run the paper's rule selects
 * (the best mean of dev WA and dev weighted F1, per condition), beside the mean over all seeds
 * with its 95% interval. Intervals and comparisons resample seeds and test utterances
 * (the metrics are recomputed on each resample from the test decisions), so they stay in
 * [0, 100] % and pair two models on the same utterances:
 *
 *   selected run = argmax_s ½ (dev avg WA_s + dev avg F1w_s)
 *   A − B        = mean_s metric(A_s; items) − mean_s metric(B_s; items), over resampled s, items
 *
 * Conditions (Table 3): the missing modalities get weight 0 in the joint output at inference
 * (transformer: α_m = 0, the others keep ⅓; BiGRU: the modality's representation × 0).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { EMOTION_NAMES, MultimodalUtterance } from '../../data/multimodalEmotion';
import type { SeedRun } from '../../experiments/seeds';
import {
  intervalText,
  Interval,
  PairedDifference,
  resampleDifference,
  resampleInterval,
} from '../../experiments/statistics';
import { CrossModalEncoderConfig, EQUAL_WEIGHTS, ModalityWeights, MultimodalParams } from './crossModalEncoder';
import { initLateFusionGru, LateFusionConfig, lateFusionProbabilities } from './lateFusionGru';
import { emotionProbabilities, initEmotionModel } from './transformer';
import {
  averageEmotionMetric,
  EmotionMetric,
  emotionTargets,
  emotionScores,
  flattenEmotionScores,
  inMultimodalBatches,
  MultimodalContext,
  trainEmotionTransformer,
  trainLateFusion,
  MultimodalTrainOptions,
} from './training';

export const ABLATION_CONDITIONS: Record<string, ModalityWeights> = {
  A: { audio: 1, visual: 0, text: 0 },
  'A+V': { audio: 1, visual: 1, text: 0 },
  'A+T': { audio: 1, visual: 0, text: 1 },
  'A+V+T': { audio: 1, visual: 1, text: 1 },
};

export interface EmotionData {
  train: MultimodalUtterance[];
  dev: MultimodalUtterance[];
  test: MultimodalUtterance[];
  ctx: MultimodalContext;
}

export type EmotionModel =
  | { kind: 'bigru'; cfg: LateFusionConfig }
  | { kind: 'transformer'; cfg: CrossModalEncoderConfig; init?: MultimodalParams };

/**
 * One seed's result: flat metrics `<condition> <emotion> WA|F1w|F1`, `<condition> avg WA`,
 * `<condition> dev avg F1w`, …, the loss curve, and per condition the test decisions (0/1 per
 * utterance and emotion) at each metric's dev-tuned thresholds.
 */
export type EmotionRun = Record<string, number> & {
  losses: number[];
  decisions: Record<string, Record<EmotionMetric, number[][]>>;
};

/**
 * Trains `model` with `seed` on data.train, scores dev and test under each of `conditions`
 * (default all), frees the model.
 */
export function runEmotionSeed(
  model: EmotionModel,
  seed: number,
  data: EmotionData,
  opts: Omit<MultimodalTrainOptions, 'seed'>,
  conditions: readonly string[] = Object.keys(ABLATION_CONDITIONS),
): EmotionRun {
  checkArgs('runEmotionSeed')
    .require(
      model?.kind === 'bigru' || model?.kind === 'transformer',
      "argument 'model' expected { kind: 'bigru' | 'transformer', cfg }",
    )
    .number('seed', seed, { integer: true })
    .require(
      conditions.every((c) => c in ABLATION_CONDITIONS),
      `conditions must be among ${Object.keys(ABLATION_CONDITIONS).join(', ')}`,
    );
  const rng = new Rng(seed);
  const p = model.kind === 'bigru' ? initLateFusionGru(model.cfg, rng) : initEmotionModel(model.cfg, rng, model.init);
  const trainOpts = { ...opts, seed };
  const losses =
    model.kind === 'bigru'
      ? trainLateFusion(p, data.train, data.ctx, model.cfg, trainOpts)
      : trainEmotionTransformer(p, data.train, data.ctx, model.cfg, { ...trainOpts, weights: EQUAL_WEIGHTS });
  const probsOf = (utts: MultimodalUtterance[], w: ModalityWeights): number[][] =>
    inMultimodalBatches(utts, data.ctx, 64, (batch) =>
      model.kind === 'bigru'
        ? lateFusionProbabilities(p, batch, model.cfg, w)
        : emotionProbabilities(p, batch, model.cfg, { audio: w.audio / 3, visual: w.visual / 3, text: w.text / 3 }),
    );
  const out: Record<string, number> = {};
  const decisions: Record<string, Record<EmotionMetric, number[][]>> = {};
  const devTruth = emotionTargets(data.dev),
    testTruth = emotionTargets(data.test);
  for (const name of conditions) {
    const w = ABLATION_CONDITIONS[name];
    const s = emotionScores(
      { probs: probsOf(data.dev, w), truth: devTruth },
      { probs: probsOf(data.test, w), truth: testTruth },
    );
    for (const [k, v] of Object.entries(flattenEmotionScores(s, EMOTION_NAMES))) out[`${name} ${k}`] = v;
    decisions[name] = s.testDecisions;
  }
  tf.dispose(Object.values(p));
  return { ...out, losses, decisions } as EmotionRun;
}

/**
 * The labelled training set cut to a fraction f for the label-fraction curve: the first ⌈f·N⌉
 * utterances of one shuffle seeded by `seed`, so the subsets of one seed are nested
 * (10 % ⊂ 25 % ⊂ 100 %) and every model trained with that seed sees the same utterances (paired).
 *
 *   train [N] → subset [⌈f·N⌉]     (f = 1: all N, in the original order)
 */
export function labelledSubset(
  train: readonly MultimodalUtterance[],
  fraction: number,
  seed: number,
): MultimodalUtterance[] {
  checkArgs('labelledSubset')
    .require(Array.isArray(train) && train.length > 0, "argument 'train' expected a non-empty array of utterances")
    .number('fraction', fraction, { min: 0, max: 1 })
    .require(fraction > 0, `argument 'fraction' expected a number in (0, 1] but got ${fraction}`)
    .number('seed', seed, { integer: true });
  if (fraction === 1) return [...train];
  const order = new Rng(seed).permutation(train.length);
  return order.slice(0, Math.ceil(fraction * train.length)).map((i) => train[i]);
}

/**
 * The paper's selection rule: the run with the best mean of dev average WA and dev average
 * weighted F1 under `condition` — one model per condition, scored on test by both metrics.
 */
export function selectOnDev(runs: readonly SeedRun<EmotionRun>[], condition: string): SeedRun<EmotionRun> {
  checkArgs('selectOnDev')
    .require(Array.isArray(runs) && runs.length > 0, "argument 'runs' expected the runs of runSeeds")
    .require(
      runs.every((r) => Number.isFinite(r.result[`${condition} dev avg WA`])),
      `argument 'condition' expected a condition every run scored but got '${condition}'`,
    );
  const devScore = (r: SeedRun<EmotionRun>): number =>
    (r.result[`${condition} dev avg WA`] + r.result[`${condition} dev avg F1w`]) / 2;
  return runs.reduce((best, r) => (devScore(r) > devScore(best) ? r : best));
}

/** `metric` of one emotion (index k), or averaged over emotions (k = null), on resampled utterances. */
function emotionMetric(
  run: EmotionRun,
  truth: readonly (readonly number[])[],
  condition: string,
  metric: EmotionMetric,
  k: number | null,
  items: readonly number[],
): number {
  const d = run.decisions[condition][metric];
  return k === null
    ? averageEmotionMetric(d, truth, metric, items)
    : averageEmotionMetric(
        d.map((r) => [r[k]]),
        truth.map((r) => [r[k]]),
        metric,
        items,
      );
}

function checkTruth(fn: string, runs: readonly SeedRun<EmotionRun>[], truth: readonly (readonly number[])[]): void {
  const first = Object.values(runs[0]?.result.decisions ?? {})[0]?.WA;
  checkArgs(fn).require(
    Array.isArray(truth) && first !== undefined && truth.length === first.length,
    `argument 'truth' expected the test targets, one row per test utterance (${first?.length}) ` +
      `but got ${truth?.length}`,
  );
}

/**
 * Mean over seeds of `metric` (one emotion, or the average with k = null) under `condition`,
 * with its 95% interval over resampled seeds × test utterances (in [0, 1]).
 */
export function emotionInterval(
  runs: readonly SeedRun<EmotionRun>[],
  truth: readonly (readonly number[])[],
  condition: string,
  metric: EmotionMetric,
  k: number | null = null,
): Interval {
  checkTruth('emotionInterval', runs, truth);
  return resampleInterval(runs.length, truth.length, (seeds, items) => {
    let sum = 0;
    for (const s of seeds) sum += emotionMetric(runs[s].result, truth, condition, metric, k, items);
    return sum / seeds.length;
  });
}

/**
 * Paired comparison of two models (the same seeds, the same test utterances): A − B in the
 * mean over seeds of `metric` averaged over emotions, under `condition`.
 */
export function compareEmotionModels(
  a: readonly SeedRun<EmotionRun>[],
  b: readonly SeedRun<EmotionRun>[],
  truth: readonly (readonly number[])[],
  condition: string,
  metric: EmotionMetric,
): PairedDifference {
  checkArgs('compareEmotionModels').require(
    a?.length === b?.length && a.length > 0,
    `arguments 'a' and 'b' expected runs over the same seeds but got ${a?.length} and ${b?.length}`,
  );
  checkTruth('compareEmotionModels', a, truth);
  return resampleDifference(a.length, truth.length, (seeds, items) => {
    let sum = 0;
    for (const s of seeds)
      sum +=
        emotionMetric(a[s].result, truth, condition, metric, null, items) -
        emotionMetric(b[s].result, truth, condition, metric, null, items);
    return sum / seeds.length;
  });
}

/**
 * Whether A's gain over B differs between two settings (say 10 % and 100 % of the labels), paired
 * over the same seeds and test utterances: (A − B in `first`) − (A − B in `second`), in the mean
 * over seeds of `metric` averaged over emotions, under `condition`.
 */
export function compareEmotionGains(
  first: { a: readonly SeedRun<EmotionRun>[]; b: readonly SeedRun<EmotionRun>[] },
  second: { a: readonly SeedRun<EmotionRun>[]; b: readonly SeedRun<EmotionRun>[] },
  truth: readonly (readonly number[])[],
  condition: string,
  metric: EmotionMetric,
): PairedDifference {
  const sets = [first?.a, first?.b, second?.a, second?.b];
  checkArgs('compareEmotionGains').require(
    sets.every((r) => Array.isArray(r) && r.length > 0 && r.length === sets[0]!.length),
    "arguments 'first' and 'second' expected { a, b } runs over the same seeds but got " +
      sets.map((r) => (Array.isArray(r) ? r.length : String(r))).join(', '),
  );
  checkTruth('compareEmotionGains', first.a, truth);
  const score = (r: readonly SeedRun<EmotionRun>[], s: number, items: readonly number[]): number =>
    emotionMetric(r[s].result, truth, condition, metric, null, items);
  return resampleDifference(first.a.length, truth.length, (seeds, items) => {
    let sum = 0;
    for (const s of seeds)
      sum +=
        score(first.a, s, items) - score(first.b, s, items) - (score(second.a, s, items) - score(second.b, s, items));
    return sum / seeds.length;
  });
}

const pct = (i: Interval): string => intervalText(i, { scale: 100, digits: 1 });
const TABLE_METRICS: EmotionMetric[] = ['WA', 'F1w', 'F1'];

/**
 * Table 1/2 layout: one row per emotion and the average; per model and metric (WA, F1w the
 * paper's weighted F1, F1 positive-class), the test score of the run selected on dev (in %)
 * and the mean over seeds [95% interval over seeds × test utterances].
 */
export function emotionTable(
  models: Record<string, readonly SeedRun<EmotionRun>[]>,
  truth: readonly (readonly number[])[],
  condition = 'A+V+T',
): Record<string, string | number>[] {
  const rows = [...EMOTION_NAMES, 'avg'];
  return rows.map((e, k) => {
    const row: Record<string, string | number> = { emotion: e === 'avg' ? 'average' : e };
    for (const [name, runs] of Object.entries(models)) {
      const selected = selectOnDev(runs, condition).result;
      for (const metric of TABLE_METRICS) {
        row[`${name} ${metric} (selected)`] = Number((100 * selected[`${condition} ${e} ${metric}`]).toFixed(1));
        row[`${name} ${metric} mean [95%]`] = pct(
          emotionInterval(runs, truth, condition, metric, e === 'avg' ? null : k),
        );
      }
    }
    return row;
  });
}

/**
 * Table 3 layout: one row per condition; per model, average WA and weighted F1 of the run
 * selected on dev for that condition, and their means over seeds [95% interval], in %.
 */
export function ablationTable(
  models: Record<string, readonly SeedRun<EmotionRun>[]>,
  truth: readonly (readonly number[])[],
): Record<string, string | number>[] {
  return Object.keys(ABLATION_CONDITIONS).map((condition) => {
    const row: Record<string, string | number> = { modalities: condition };
    for (const [name, runs] of Object.entries(models)) {
      const selected = selectOnDev(runs, condition).result;
      for (const metric of ['WA', 'F1w'] as const) {
        row[`${name} ${metric} (selected)`] = Number((100 * selected[`${condition} avg ${metric}`]).toFixed(1));
        row[`${name} ${metric} mean [95%]`] = pct(emotionInterval(runs, truth, condition, metric));
      }
    }
    return row;
  });
}

/**
 * How the corpus's modalities carry each emotion in `utts` (labelled): per modality, the share of
 * present emotions it expresses, and the share of absent emotions it falsely shows.
 */
export function modalityCueRates(utts: readonly MultimodalUtterance[]): Record<string, string | number>[] {
  checkArgs('modalityCueRates').require(
    utts.length > 0 && utts.every((u) => u.labels && u.cues),
    'expected labelled utterances with cues',
  );
  return (['text', 'visual', 'audio'] as const).map((m) => {
    const row: Record<string, string | number> = { modality: m };
    EMOTION_NAMES.forEach((e, k) => {
      const present = utts.filter((u) => u.labels![k] > 0);
      row[e] = present.filter((u) => u.cues![m][k] > 0).length / Math.max(1, present.length);
    });
    const absent = utts.flatMap((u) => u.labels!.map((l, k) => (l === 0 ? u.cues![m][k] : -1))).filter((c) => c >= 0);
    row['false cues'] = absent.filter((c) => c > 0).length / absent.length;
    return row;
  });
}
