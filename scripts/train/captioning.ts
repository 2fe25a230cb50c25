/**
 * `npm run train -- captioning`: notebook 04's three caption decoders (rnn, lstm, attention),
 * each with several seeds, trained on every training scene of fashion-scenes plus scenes recomposed
 * from the same training crops (lib/data/sceneRecomposition.ts) until the validation loss stops
 * improving (early stopping keeps the best epoch), reading the frozen features of the shipped
 * feature CNN (checkpoints/captioning-cnn), standardised per channel over the training split
 * (lib/models/captioning/featureScaling.ts). Each decoder × seed goes to
 * checkpoints/captioning-<decoder>-seed<K> (lib/models/captioning/decoderCheckpoint.ts) with its
 * manifest — every epoch's training and validation loss and validation correctness, the test and
 * novel scores of the kept weights — and its training log.
 *
 * Resumable by run: a decoder × seed whose checkpoint already holds this command's settings is
 * skipped (one run takes minutes, so nothing finer is kept).
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib';
import { projectRoot } from '../../lib/core/projectRoot';
import { DatasetError } from '../../lib/data/datasetError';
import { loadFashionScenes, SceneSplit } from '../../lib/data/fashionScenes';
import { recomposeTrainingScenes } from '../../lib/data/sceneRecomposition';
import { CaptionAccuracy, captionAccuracy } from '../../lib/models/captioning/analysis';
import { CAPTION_CELL_TYPES, CaptionCellType, CaptioningRNN } from '../../lib/models/captioning/captioningRnn';
import { loadFeatureCnn } from '../../lib/models/captioning/cnnCheckpoint';
import { decoderCheckpointName, saveCaptionDecoder } from '../../lib/models/captioning/decoderCheckpoint';
import { evaluateCaptioner } from '../../lib/models/captioning/evaluation';
import { extractSceneFeatures, FeatureCnn, SceneFeatures } from '../../lib/models/captioning/featureExtractor';
import { FeatureScaling, featureScalingOf, scaleSceneFeatures } from '../../lib/models/captioning/featureScaling';
import { trainCaptioner } from '../../lib/models/captioning/trainer';
import { parseCommandLine, UsageError } from '../cliArgs';

export const CAPTIONING_USAGE = `usage: npm run train -- captioning [options]
  --decoders LIST   comma-separated: rnn, lstm, attention (default all three)
  --seeds LIST      comma-separated seeds (default 1,2,3; 1 with --quick)
  --max-epochs E    most passes over the training scenes (default 40; 2 with --quick)
  --patience P      stop when the validation loss has not improved for P epochs (default 4)
  --batch B         minibatch size (default 100)
  --lr LR           Adam's initial learning rate (default 5e-3)
  --lr-decay D      learning-rate factor per epoch (default 0.85)
  --hidden H        hidden size (default 128)
  --wordvec W       word-vector size (default 32)
  --extra-scenes N  train also on N scenes recomposed from the training split's own crops
                    (default 20000; 200 with --quick)
  --quick           a tiny run through the same code path (200 training scenes)
  --force           retrain runs whose checkpoint already holds these settings
  --out DIR         parent directory of the checkpoints (default checkpoints;
                    out/checkpoints with --quick)`;

export interface CaptioningArgs {
  decoders: CaptionCellType[];
  seeds: number[];
  maxEpochs: number;
  patience: number;
  batch: number;
  lr: number;
  lrDecay: number;
  hidden: number;
  wordvec: number;
  extraScenes: number;
  quick: boolean;
  force: boolean;
  out: string;
  help: boolean;
}

function parseList<T>(flag: string, raw: string, parse: (item: string) => T | undefined, expects: string): T[] {
  const items = raw.split(',').map((s) => s.trim());
  const parsed = items.map(parse);
  if (items.length === 0 || parsed.some((p) => p === undefined))
    throw new UsageError(`train captioning: --${flag} expects ${expects}, got '${raw}'`);
  return parsed as T[];
}

/** The decoder trainer's command line (UsageError on a bad one). */
export function parseCaptioningArgs(argv: string[]): CaptioningArgs {
  const { values } = parseCommandLine('train captioning', argv, {
    decoders: { type: 'string', default: CAPTION_CELL_TYPES.join(','), expects: 'rnn, lstm and/or attention' },
    seeds: { type: 'string', expects: 'comma-separated integers' },
    'max-epochs': { type: 'number', rule: 'positive-integer' },
    patience: { type: 'number', rule: 'positive-integer', default: 4 },
    batch: { type: 'number', rule: 'positive-integer', default: 100 },
    lr: { type: 'number', rule: 'positive', default: 5e-3 },
    'lr-decay': { type: 'number', rule: 'positive', default: 0.85 },
    hidden: { type: 'number', rule: 'positive-integer', default: 128 },
    wordvec: { type: 'number', rule: 'positive-integer', default: 32 },
    'extra-scenes': { type: 'number', rule: 'non-negative-integer' },
    quick: { type: 'boolean' },
    force: { type: 'boolean' },
    out: { type: 'string', expects: 'a directory' },
    help: { type: 'boolean', short: 'h' },
  });
  const { quick } = values;
  if (values['lr-decay'] > 1)
    throw new UsageError(`train captioning: --lr-decay expects at most 1, got ${values['lr-decay']}`);
  return {
    decoders: parseList(
      'decoders',
      values.decoders,
      (d) => CAPTION_CELL_TYPES.find((c) => c === d),
      'rnn, lstm and/or attention',
    ),
    seeds: parseList(
      'seeds',
      values.seeds ?? (quick ? '1' : '1,2,3'),
      (s) => (/^-?\d+$/.test(s) ? Number(s) : undefined),
      'comma-separated integers',
    ),
    maxEpochs: values['max-epochs'] ?? (quick ? 2 : 40),
    patience: values.patience,
    batch: values.batch,
    lr: values.lr,
    lrDecay: values['lr-decay'],
    hidden: values.hidden,
    wordvec: values.wordvec,
    extraScenes: values['extra-scenes'] ?? (quick ? 200 : 20000),
    quick,
    force: values.force,
    out: path.resolve(values.out ?? path.join(projectRoot(), quick ? 'out/checkpoints' : 'checkpoints')),
    help: values.help,
  };
}

const pct = (r: number): string => `${(100 * r).toFixed(1)} %`;

/** The settings a checkpoint must hold to be skipped on a rerun. */
const settingsOf = (a: CaptioningArgs) => ({
  maxEpochs: a.maxEpochs,
  patience: a.patience,
  batch: a.batch,
  lr: a.lr,
  lrDecay: a.lrDecay,
  hidden: a.hidden,
  wordvec: a.wordvec,
  extraScenes: a.extraScenes,
  quick: a.quick,
});

function alreadyTrained(dir: string, settings: ReturnType<typeof settingsOf>, cnnSha: string): boolean {
  const file = path.join(dir, 'manifest.json');
  if (!fs.existsSync(file)) return false;
  let m: { cnnWeightsSha256?: string; training?: { settings?: unknown } };
  try {
    m = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new DatasetError(file, `not readable JSON (${(e as Error).message}); delete it or rerun with --force`);
  }
  return m.cnnWeightsSha256 === cnnSha && JSON.stringify(m.training?.settings) === JSON.stringify(settings);
}

export async function trainCaptioning(args: CaptioningArgs): Promise<void> {
  const settings = settingsOf(args);
  const command =
    `npm run train -- captioning --decoders ${args.decoders.join(',')} --seeds ${args.seeds.join(',')} ` +
    `--max-epochs ${args.maxEpochs} --patience ${args.patience} --batch ${args.batch} --lr ${args.lr} ` +
    `--lr-decay ${args.lrDecay} --hidden ${args.hidden} --wordvec ${args.wordvec} ` +
    `--extra-scenes ${args.extraScenes}${args.quick ? ' --quick' : ''}`;
  const { cnn, manifest: cnnManifest } = loadFeatureCnn();
  const splits: SceneSplit[] = ['train', 'val', 'test', 'novel'];
  const scenes = Object.fromEntries(
    splits.map((s) => [
      s,
      loadFashionScenes({ split: s, limit: args.quick ? (s === 'train' ? 200 : 100) : undefined }),
    ]),
  );
  const raw: Record<string, SceneFeatures> = Object.fromEntries(
    splits.map((s) => [s, extractSceneFeatures(cnn, scenes[s].images)]),
  );
  const featureScaling = featureScalingOf(raw.train);
  const feats = Object.fromEntries(splits.map((s) => [s, scaleSceneFeatures(raw[s], featureScaling)]));
  for (const s of splits) tf.dispose([raw[s].cells, raw[s].flat]);
  const training = withRecomposedScenes(cnn, feats.train, scenes.train.captions, args.extraScenes, featureScaling);
  cnn.classifier.dispose();
  const featuresFor = (c: CaptionCellType, s: string) => (c === 'attention' ? feats[s].cells : feats[s].flat);
  const trainingFeatures = (c: CaptionCellType) => (c === 'attention' ? training.cells : training.flat);
  const maxWords = scenes.train.captions.shape[1] - 1;
  for (const cellType of args.decoders)
    for (const seed of args.seeds) {
      const dir = path.join(args.out, decoderCheckpointName(cellType, seed));
      if (!args.force && alreadyTrained(dir, settings, cnnManifest.weights.sha256)) {
        console.log(`${dir}: already trained with these settings (--force retrains it)`);
        continue;
      }
      const log: string[] = [];
      const say = (line: string): void => {
        console.log(line);
        log.push(line);
      };
      const data = (s: string) =>
        s === 'train'
          ? { features: trainingFeatures(cellType), captions: training.captions }
          : { features: featuresFor(cellType, s), captions: scenes[s].captions };
      const model = new CaptioningRNN({
        wordToIdx: scenes.train.wordToIdx,
        cellType,
        seed,
        wordvecDim: args.wordvec,
        hiddenDim: args.hidden,
        inputDim: data('train').features.shape[1],
      });
      say(command);
      say(
        `${cellType} seed ${seed}: ${scenes.train.images.shape[0]} training scenes + ${args.extraScenes} ` +
          `recomposed from their crops, ${scenes.val.images.shape[0]} ` +
          `validation scenes; features of the CNN ${cnnManifest.weights.sha256.slice(0, 12)}…`,
      );
      /** Per epoch, the share of validation captions right: fully, and per attribute. */
      const valAccuracy: Pick<CaptionAccuracy, 'correct' | 'items' | 'colours' | 'objects' | 'position'>[] = [];
      const history = trainCaptioner(model, data('train'), data('val'), {
        epochs: args.maxEpochs,
        patience: args.patience,
        batchSize: args.batch,
        lr: args.lr,
        lrDecay: args.lrDecay,
        seed: 100 + seed,
        label: `${cellType} seed ${seed}`,
        onEpoch: (epoch, losses) => {
          const words = model.sample(featuresFor(cellType, 'val'), maxWords).words;
          const { correct, items, colours, objects, position } = captionAccuracy(words, scenes.val.items, scenes.val);
          valAccuracy.push({ correct, items, colours, objects, position });
          say(
            `epoch ${epoch}: training loss ${losses.train.toFixed(4)}, validation loss ${losses.val!.toFixed(4)}, ` +
              `validation captions fully correct ${pct(correct)}`,
          );
        },
      });
      const score = (s: 'test' | 'novel') => {
        const e = evaluateCaptioner(model, { ...scenes[s], features: featuresFor(cellType, s) }, maxWords);
        say(`${s}: ${pct(e.accuracy.correct)} fully correct, BLEU-4 ${e.bleu[3].toFixed(3)}`);
        return { accuracy: e.accuracy, bleu: e.bleu, bleuAllPhrasings: e.bleuAllPhrasings };
      };
      say(
        `kept epoch ${history.keptEpoch} of ${history.trainLoss.length} (validation loss ` +
          `${history.valLoss[history.keptEpoch - 1].toFixed(4)}); ${(history.seconds / 60).toFixed(1)} min`,
      );
      const record = {
        command,
        settings,
        trainingScenes: scenes.train.images.shape[0],
        recomposedScenes: args.extraScenes,
        seconds: Math.round(history.seconds),
        keptEpoch: history.keptEpoch,
        trainLoss: history.trainLoss,
        valLoss: history.valLoss,
        valAccuracy,
        test: score('test'),
        novel: score('novel'),
      };
      saveCaptionDecoder(dir, model, {
        seed,
        inputDim: data('train').features.shape[1],
        wordvecDim: args.wordvec,
        cnn: cnnManifest,
        featureScaling,
        training: record,
      });
      fs.writeFileSync(path.join(dir, 'training-log.txt'), `${log.join('\n')}\n`);
      console.log(`wrote ${dir}`);
      model.dispose();
    }
  for (const s of splits) tf.dispose([feats[s].cells, feats[s].flat, scenes[s].images, scenes[s].captions]);
  tf.dispose([training.cells, training.flat, training.captions]);
}

/** Scenes recomposed per chunk (their images are rendered, read by the CNN and freed chunk by chunk). */
const RECOMPOSE_CHUNK = 4000;

/**
 * New tensors: the training split's (standardised) features and captions followed by `extra`
 * scenes recomposed from its crops (lib/data/sceneRecomposition.ts; chunk k drawn with seed
 * 1000 + k, the same for every decoder and seed), standardised by `scaling`.
 */
function withRecomposedScenes(
  cnn: FeatureCnn,
  original: SceneFeatures,
  captions: tf.Tensor,
  extra: number,
  scaling: FeatureScaling,
): SceneFeatures & { captions: tf.Tensor } {
  const parts = [{ ...original, captions }];
  for (let k = 0; k * RECOMPOSE_CHUNK < extra; k++) {
    const count = Math.min(RECOMPOSE_CHUNK, extra - k * RECOMPOSE_CHUNK);
    const more = recomposeTrainingScenes({ count, seed: 1000 + k });
    const rawMore = extractSceneFeatures(cnn, more.images);
    parts.push({ ...scaleSceneFeatures(rawMore, scaling), captions: more.captions });
    tf.dispose([more.images, rawMore.cells, rawMore.flat]);
  }
  const joined = tf.tidy(() => ({
    cells: tf.concat(parts.map((p) => p.cells)) as tf.Tensor4D,
    flat: tf.concat(parts.map((p) => p.flat)) as tf.Tensor2D,
    captions: tf.concat(parts.map((p) => p.captions)),
  }));
  tf.dispose(parts.slice(1).flatMap((p) => [p.cells, p.flat, p.captions]));
  return joined;
}
