/**
 * One run (one seed) of the comparison of Odetola et al.'s three ways to predict several label
 * categories, on frozen backbone features [N, F]:
 *
 * - **Proposed**: one head model, Dense(hidden, ReLU) shared by one softmax head per category,
 *   trained on L = Σ_k w_k · CE_k (w_k = 1 unless `lossWeights` is given, e.g. 0.8 / 0.2);
 * - **nM**: one head model per category, each trained on its own CE;
 * - **HC**: one softmax over the J joint classes `jointCombos` (the combinations seen in
 *   training), whose predicted combination gives every category's label.
 *
 * With a frozen backbone, nM's backbone copies compute the very same features, so only the
 * heads are trained here; the deployable models' costs are measured by `profileModel`.
 * Every head is disposed before returning: the result holds plain numbers only.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { buildSoftmaxHeads, jointLabelIndex, type LabelCategory } from './heads';
import { evaluateSoftmaxHeads, trainSoftmaxHeads } from '../../train/softmaxHeads';

/** Labels per category name, one array of class ids over the examples. */
export type LabelArrays = Record<string, number[]>;

/** What {@link trainHeadsComparison} returns for each approach ('Proposed', 'nM', 'HC'). */
export interface ApproachRun {
  /** Predicted class of every test example, per category. */
  predictions: LabelArrays;
  /** Mean test cross-entropy on the seen-combination test examples, per output (HC: one, joint). */
  seenLoss: number[];
  /** Mean training loss of each epoch (nM: summed over its models). */
  epochLosses: number[];
}

export interface HeadsComparisonOptions {
  features: { train: tf.Tensor2D; test: tf.Tensor2D };
  labels: { train: LabelArrays; test: LabelArrays };
  categories: LabelCategory[];
  /** HC's classes: one label per category for each seen combination. */
  jointCombos: readonly (readonly number[])[];
  /** Weights w_k of Proposed's per-category losses; default all 1. */
  lossWeights?: number[];
  /** Width of the shared hidden layer; 0 = heads only. */
  hidden: number;
  epochs: number;
  batchSize: number;
  lr: number;
  onStep?: (approach: string, step: number, loss: number) => void;
}

/** argmax class of every output of `head` on `x`, in batches → [output][example]. */
export function predictClasses(head: tf.LayersModel, x: tf.Tensor2D, batchSize = 512): number[][] {
  checkArgs('predictClasses').tensor('x', x, ['N', 'F'], 'float32');
  const out: number[][] = head.outputs.map(() => []);
  for (let start = 0; start < x.shape[0]; start += batchSize) {
    const n = Math.min(batchSize, x.shape[0] - start);
    const preds = tf.tidy(() => {
      const y = head.predict(x.slice([start], [n])) as tf.Tensor | tf.Tensor[];
      return tf.stack((Array.isArray(y) ? y : [y]).map((l) => tf.argMax(l, 1)));
    });
    (preds.arraySync() as number[][]).forEach((p, k) => out[k].push(...p));
    preds.dispose();
  }
  return out;
}

/** The name of the one-model-per-category approach for `n` categories: '2M', '3M', … */
export const separateName = (n: number): string => `${n}M`;

/** Trains one head model on the training features → its test predictions and seen-test loss. */
function fitHead(
  opts: HeadsComparisonOptions,
  rng: Rng,
  seen: { x: tf.Tensor2D; idx: number[] },
  head: {
    name: string;
    categories: LabelCategory[];
    lossWeights?: number[];
    train: number[][];
    test: number[][];
  },
): { predictions: number[][]; seenLoss: number[]; epochLosses: number[] } {
  const model = buildSoftmaxHeads({
    inputDim: opts.features.train.shape[1],
    hidden: opts.hidden,
    categories: head.categories,
    seed: rng.nextUint32() | 0,
    name: head.name,
  });
  const targets = head.train.map((t) => tf.tensor1d(t, 'int32'));
  const seenTargets = head.test.map((t) =>
    tf.tensor1d(
      seen.idx.map((n) => t[n]),
      'int32',
    ),
  );
  try {
    const history = trainSoftmaxHeads(model, opts.features.train, targets, {
      epochs: opts.epochs,
      batchSize: opts.batchSize,
      lr: opts.lr,
      seed: rng.nextUint32() | 0,
      lossWeights: head.lossWeights,
      onStep: (s, l) => opts.onStep?.(head.name, s, l),
    });
    return {
      predictions: predictClasses(model, opts.features.test),
      seenLoss: evaluateSoftmaxHeads(model, seen.x, seenTargets).map((e) => e.loss),
      epochLosses: history.epochLosses,
    };
  } finally {
    tf.dispose([...targets, ...seenTargets]);
    model.dispose();
  }
}

function checkComparison(seed: number, opts: HeadsComparisonOptions): void {
  const c = checkArgs('trainHeadsComparison').number('seed', seed, { integer: true });
  const { N } = c.tensor('features.train', opts?.features?.train, ['N', 'F'], 'float32').dims;
  const { M } = c.tensor('features.test', opts.features.test, ['M', 'F'], 'float32').dims;
  for (const { name } of opts.categories) {
    c.require(opts.labels.train[name]?.length === N, `labels.train.${name} must have ${N} entries`);
    c.require(opts.labels.test[name]?.length === M, `labels.test.${name} must have ${M} entries`);
  }
}

/** Trains Proposed, nM and HC heads from `seed` and predicts every test example. */
export function trainHeadsComparison(seed: number, opts: HeadsComparisonOptions): Record<string, ApproachRun> {
  checkComparison(seed, opts);
  const cats = opts.categories;
  const train = cats.map((k) => opts.labels.train[k.name]);
  const test = cats.map((k) => opts.labels.test[k.name]);
  const jointTrain = jointLabelIndex(train, opts.jointCombos);
  checkArgs('trainHeadsComparison').require(
    jointTrain.every((j) => j >= 0),
    'every training combination must be one of jointCombos',
  );
  const jointTest = jointLabelIndex(test, opts.jointCombos); // −1: an unseen combination
  const idx = jointTest.flatMap((j, n) => (j >= 0 ? [n] : []));
  checkArgs('trainHeadsComparison').require(idx.length > 0, 'the test set has no seen combination');
  const seen = { idx, x: tf.tidy(() => tf.gather(opts.features.test, idx)) as tf.Tensor2D };
  const rng = new Rng(seed);
  const byName = (p: number[][]): LabelArrays => Object.fromEntries(cats.map((k, i) => [k.name, p[i]]));
  const nM = separateName(cats.length);
  try {
    const P = fitHead(opts, rng, seen, {
      name: 'Proposed',
      categories: cats,
      train,
      test,
      lossWeights: opts.lossWeights,
    });
    const M = cats.map((k, i) =>
      fitHead(opts, rng, seen, {
        name: `${nM}_${k.name}`,
        categories: [k],
        train: [train[i]],
        test: [test[i]],
      }),
    );
    const H = fitHead(opts, rng, seen, {
      name: 'HC',
      categories: [{ name: 'joint', classes: opts.jointCombos.length }],
      train: [jointTrain],
      test: [jointTest],
    });
    const combo = (k: number) => H.predictions[0].map((j) => opts.jointCombos[j][k]);
    return {
      Proposed: { ...P, predictions: byName(P.predictions) },
      [nM]: {
        predictions: byName(M.map((m) => m.predictions[0])),
        seenLoss: M.map((m) => m.seenLoss[0]),
        epochLosses: M[0].epochLosses.map((_, e) => M.reduce((sum, m) => sum + m.epochLosses[e], 0)),
      },
      HC: { ...H, predictions: byName(cats.map((_, k) => combo(k))) },
    };
  } finally {
    seen.x.dispose();
  }
}
