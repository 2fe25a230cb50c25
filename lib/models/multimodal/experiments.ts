/**
 * Notebook 08's experiments in the layout of Khare et al.'s tables: one seed of an emotion model
 * (train, then score every modality condition), and the tables over seeds — per emotion WA and
 * F1 of the seed that is best on dev (WA and F1 each pick their own seed, as each has its own
 * dev-tuned thresholds) beside the mean ± 95% interval over all seeds.
 *
 * Conditions (Table 3): the missing modalities get weight 0 in the joint output at inference
 * (transformer: α_m = 0, the others keep ⅓; BiGRU: the modality's representation × 0).
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { EMOTION_NAMES, MultimodalUtterance } from '../../data/multimodalEmotion';
import { formatInterval, SeedRun, summarize } from '../../experiments/seeds';
import { CrossModalEncoderConfig, EQUAL_WEIGHTS, ModalityWeights, MultimodalParams } from './crossModalEncoder';
import { initLateFusionGru, LateFusionConfig, lateFusionProbabilities } from './lateFusionGru';
import { emotionProbabilities, initEmotionModel } from './transformer';
import {
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
 * One seed's result: flat metrics `<condition> <emotion> WA|F1`, `<condition> avg WA`, `<condition> dev avg F1`, … and
 * the loss curve.
 */
export type EmotionRun = Record<string, number> & { losses: number[] };

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
  const devTruth = emotionTargets(data.dev),
    testTruth = emotionTargets(data.test);
  for (const name of conditions) {
    const w = ABLATION_CONDITIONS[name];
    const s = emotionScores(
      { probs: probsOf(data.dev, w), truth: devTruth },
      { probs: probsOf(data.test, w), truth: testTruth },
    );
    for (const [k, v] of Object.entries(flattenEmotionScores(s, EMOTION_NAMES))) out[`${name} ${k}`] = v;
  }
  tf.dispose(Object.values(p));
  return { ...out, losses } as EmotionRun;
}

/** The run of `runs` with the highest `<condition> dev avg <metric>`. */
export function bestOnDev(
  runs: readonly SeedRun<EmotionRun>[],
  condition: string,
  metric: 'WA' | 'F1',
): SeedRun<EmotionRun> {
  checkArgs('bestOnDev').require(
    Array.isArray(runs) && runs.length > 0,
    "argument 'runs' expected the runs of runSeeds",
  );
  return runs.reduce((best, r) =>
    r.result[`${condition} dev avg ${metric}`] > best.result[`${condition} dev avg ${metric}`] ? r : best,
  );
}

const cell = (runs: readonly SeedRun<EmotionRun>[], key: string): string =>
  formatInterval(summarize(runs.map((r) => r.result[key])), 1);

/**
 * Table 1/2 layout: one row per emotion and the average; per model, WA and F1 of the best seed on
 * dev (in %) and the mean ± 95% interval over seeds.
 */
export function emotionTable(
  models: Record<string, readonly SeedRun<EmotionRun>[]>,
  condition = 'A+V+T',
): Record<string, string | number>[] {
  const rows = [...EMOTION_NAMES, 'avg'];
  return rows.map((e) => {
    const row: Record<string, string | number> = { emotion: e === 'avg' ? 'average' : e };
    for (const [name, runs] of Object.entries(models)) {
      for (const metric of ['WA', 'F1'] as const) {
        const key = `${condition} ${e} ${metric}`;
        row[`${name} ${metric} (best on dev)`] = Number(
          (100 * bestOnDev(runs, condition, metric).result[key]).toFixed(1),
        );
        row[`${name} ${metric} mean ± 95%`] = cell(
          runs.map((r) => ({ ...r, result: { ...r.result, [key]: 100 * r.result[key] } as EmotionRun })),
          key,
        );
      }
    }
    return row;
  });
}

/**
 * Table 3 layout: one row per condition; per model, average WA and F1
 * (best seed on dev, and mean ± 95% over seeds), in %.
 */
export function ablationTable(
  models: Record<string, readonly SeedRun<EmotionRun>[]>,
): Record<string, string | number>[] {
  return Object.keys(ABLATION_CONDITIONS).map((condition) => {
    const row: Record<string, string | number> = { modalities: condition };
    for (const [name, runs] of Object.entries(models)) {
      for (const metric of ['WA', 'F1'] as const) {
        const key = `${condition} avg ${metric}`;
        row[`${name} ${metric} (best on dev)`] = Number(
          (100 * bestOnDev(runs, condition, metric).result[key]).toFixed(1),
        );
        row[`${name} ${metric} mean ± 95%`] = formatInterval(summarize(runs.map((r) => 100 * r.result[key])), 1);
      }
    }
    return row;
  });
}

/** Per-seed values of `<condition> avg <metric>` in % (for verdicts computed from intervals). */
export function conditionSeedValues(
  runs: readonly SeedRun<EmotionRun>[],
  condition: string,
  metric: 'WA' | 'F1',
): number[] {
  return runs.map((r) => 100 * r.result[`${condition} avg ${metric}`]);
}

/**
 * Compares two models' per-seed values of one metric: 'higher' / 'lower' when the 95% intervals
 * of the means do not overlap, 'not separated' when they do.
 */
export function compareOverSeeds(
  a: readonly number[],
  b: readonly number[],
): { verdict: 'higher' | 'lower' | 'not separated'; a: string; b: string; difference: number } {
  const sa = summarize(a),
    sb = summarize(b);
  const verdict = sa.low > sb.high ? 'higher' : sa.high < sb.low ? 'lower' : 'not separated';
  return { verdict, a: formatInterval(sa, 1), b: formatInterval(sb, 1), difference: sa.mean - sb.mean };
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
