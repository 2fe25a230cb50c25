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
import { Rng } from '../core/random';
import { checkArgs } from '../core/validate';
import { buildSoftmaxHeads, jointLabelIndex, type LabelCategory } from './multilabelHeads';
import { evaluateSoftmaxHeads, trainSoftmaxHeads } from './multilabelTraining';

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

/** Trains Proposed, nM and HC heads from `seed` and predicts every test example. */
export function trainHeadsComparison(seed: number, opts: HeadsComparisonOptions): Record<string, ApproachRun> {
  const c = checkArgs('trainHeadsComparison').number('seed', seed, { integer: true });
  const { N: nTrain, F } = c.tensor('features.train', opts?.features?.train, ['N', 'F'], 'float32').dims;
  const { M: nTest } = c.tensor('features.test', opts.features.test, ['M', F], 'float32').dims;
  const cats = opts.categories;
  for (const { name } of cats) {
    c.require(opts.labels.train[name]?.length === nTrain, `labels.train.${name} must have ${nTrain} entries`);
    c.require(opts.labels.test[name]?.length === nTest, `labels.test.${name} must have ${nTest} entries`);
  }
  const rng = new Rng(seed);
  const trainLabels = cats.map((k) => opts.labels.train[k.name]);
  const testLabels = cats.map((k) => opts.labels.test[k.name]);
  const jointTrain = jointLabelIndex(trainLabels, opts.jointCombos);
  c.require(jointTrain.every((j) => j >= 0), 'every training combination must be one of jointCombos');
  const jointTest = jointLabelIndex(testLabels, opts.jointCombos);
  const seenIdx = jointTest.flatMap((j, n) => (j >= 0 ? [n] : []));
  c.require(seenIdx.length > 0, 'the test set has no example of a seen combination');
  const seenX = tf.tidy(() => tf.gather(opts.features.test, tf.tensor1d(seenIdx, 'int32'))) as tf.Tensor2D;
  const runs: Record<string, ApproachRun> = {};
  const fit = (name: string, classes: LabelCategory[], train: number[][], test: number[][], lossWeights?: number[]) => {
    const head = buildSoftmaxHeads({ inputDim: F, hidden: opts.hidden, categories: classes, seed: rng.nextUint32() | 0, name });
    const targets = train.map((t) => tf.tensor1d(t, 'int32'));
    const seenTargets = test.map((t) => tf.tensor1d(seenIdx.map((n) => t[n]), 'int32'));
    try {
      const history = trainSoftmaxHeads(head, opts.features.train, targets, {
        epochs: opts.epochs, batchSize: opts.batchSize, lr: opts.lr, seed: rng.nextUint32() | 0, lossWeights,
        onStep: (s, l) => opts.onStep?.(name, s, l),
      });
      const seenLoss = evaluateSoftmaxHeads(head, seenX, seenTargets).map((e) => e.loss);
      return { predictions: predictClasses(head, opts.features.test), seenLoss, epochLosses: history.epochLosses };
    } finally {
      tf.dispose([...targets, ...seenTargets]);
      head.dispose();
    }
  };
  const byName = (p: number[][]): LabelArrays => Object.fromEntries(cats.map((k, i) => [k.name, p[i]]));
  try {
    const proposed = fit('Proposed', cats, trainLabels, testLabels, opts.lossWeights);
    runs.Proposed = { ...proposed, predictions: byName(proposed.predictions) };
    const parts = cats.map((k, i) => fit(`${separateName(cats.length)}_${k.name}`, [k], [trainLabels[i]], [testLabels[i]]));
    runs[separateName(cats.length)] = {
      predictions: byName(parts.map((p) => p.predictions[0])),
      seenLoss: parts.map((p) => p.seenLoss[0]),
      epochLosses: parts[0].epochLosses.map((_, e) => parts.reduce((s, p) => s + p.epochLosses[e], 0)),
    };
    const hcCategory = [{ name: 'joint', classes: opts.jointCombos.length }];
    const hc = fit('HC', hcCategory, [jointTrain], [jointTest]); // its loss: seen examples only
    runs.HC = { ...hc, predictions: byName(cats.map((_, i) => hc.predictions[0].map((j) => opts.jointCombos[j][i]))) };
  } finally {
    seenX.dispose();
  }
  return runs;
}
