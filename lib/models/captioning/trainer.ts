/**
 * Training of {@link CaptioningRNN} with the library's training loop: minibatches in seeded
 * epochs, the hand-written gradients, global-norm clipping, a NaN guard, Adam with
 * exponential learning-rate decay (×`lrDecay` per epoch), train/validation loss per epoch,
 * progress display and an optional checkpoint (the shipped-weights format).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { exponentialDecay } from '../../optim/schedules';
import { seededEpochBatches, trainLoop } from '../../train/trainLoop';
import { CaptioningRNN } from './captioningRnn';
import { loadCheckpoint, saveCheckpoint } from './checkpoint';

/** Features (shaped for the model's cell type) and their captions int32 [N, L]. */
export interface CaptionData {
  features: tf.Tensor;
  captions: tf.Tensor;
}

export interface CaptionTrainOptions {
  epochs: number;
  batchSize?: number;
  /** Initial learning rate (default 5e-3). */
  lr?: number;
  /** Learning-rate factor per epoch (default 0.95). */
  lrDecay?: number;
  /** Global gradient-norm limit (default 5). */
  clipNorm?: number;
  seed?: number;
  /** Progress label (default: the cell type). */
  label?: string;
  /** Save the trained weights and history to this checkpoint folder (lib/models/captioning/checkpoint.ts). */
  checkpoint?: string;
  /** Load `checkpoint` instead of training when it exists and matches these settings. */
  reuseCheckpoint?: boolean;
}

export interface CaptionHistory {
  /** Loss of every minibatch. */
  stepLoss: number[];
  /** Mean minibatch loss per epoch. */
  trainLoss: number[];
  /** Validation loss at the end of each epoch (empty without validation data). */
  valLoss: number[];
  /** Wall-clock seconds of training (of the original run when loaded from a checkpoint). */
  seconds: number;
  fromCheckpoint: boolean;
}

/** Loss over a whole set, evaluated in chunks (weighted by chunk size). */
export function captionLoss(model: CaptioningRNN, data: CaptionData, chunk = 250): number {
  const { N } = checkArgs('captionLoss')
    .tensor('captions', data?.captions, ['N', 'L'], 'int32')
    .tensor('features', data.features, ['N', ...model.featureSpec.slice(1)], 'float32').dims;
  let sum = 0;
  for (let s = 0; s < N; s += chunk) {
    const n = Math.min(chunk, N - s);
    const [f, c] = tf.tidy(() => [sliceRows(data.features, s, n), sliceRows(data.captions, s, n)]);
    sum += model.evaluateLoss(f, c) * n;
    tf.dispose([f, c]);
  }
  return sum / N;
}

function sliceRows(x: tf.Tensor, start: number, n: number): tf.Tensor {
  return tf.slice(x, [start, ...x.shape.slice(1).map(() => 0)], [n, ...x.shape.slice(1)]);
}

/** Trains `model` in place and returns its loss history. */
export function trainCaptioner(
  model: CaptioningRNN,
  train: CaptionData,
  val: CaptionData | null,
  opts: CaptionTrainOptions,
): CaptionHistory {
  const spec = model.featureSpec.slice(1);
  const c = checkArgs('trainCaptioner')
    .tensor('train.captions', train?.captions, ['N', 'L'], 'int32')
    .tensor('train.features', train.features, ['N', ...spec], 'float32')
    .number('epochs', opts?.epochs, { integer: true, min: 1 })
    .number('batchSize', opts.batchSize ?? 50, { integer: true, min: 1 })
    .number('lr', opts.lr ?? 5e-3, { min: 0, exclusiveMin: true })
    .number('lrDecay', opts.lrDecay ?? 0.95, { min: 0, max: 1 })
    .number('clipNorm', opts.clipNorm ?? 5, { min: 0, exclusiveMin: true });
  if (val)
    checkArgs('trainCaptioner')
      .tensor('val.captions', val.captions, ['M', c.dims.L], 'int32')
      .tensor('val.features', val.features, ['M', ...spec], 'float32');
  const { N } = c.dims;
  const { epochs, batchSize = 50, lr = 5e-3, lrDecay = 0.95, clipNorm = 5, seed = 0 } = opts;
  const key = JSON.stringify({
    cellType: model.cellType,
    dims: model.dims,
    N,
    epochs,
    batchSize,
    lr,
    lrDecay,
    clipNorm,
    seed,
  });
  if (opts.checkpoint && opts.reuseCheckpoint) {
    const saved = loadCheckpoint<CaptionHistory>(opts.checkpoint, key, model.params);
    if (saved) return { ...saved, fromCheckpoint: true };
  }
  const start = Date.now();
  const plan = seededEpochBatches('trainCaptioner', { N, batchSize, epochs, seed });
  const schedule = exponentialDecay({ lr0: lr, decayRate: lrDecay, decaySteps: plan.stepsPerEpoch });
  const history: CaptionHistory = { stepLoss: [], trainLoss: [], valLoss: [], seconds: 0, fromCheckpoint: false };
  let epochSum = 0;
  history.stepLoss = trainLoop(
    'trainCaptioner',
    model.params,
    {
      steps: plan.steps,
      lr: (step) => schedule(step - 1),
      clipNorm,
      label: opts.label ?? model.cellType,
      metrics: (): Record<string, number> =>
        history.valLoss.length ? { val: history.valLoss[history.valLoss.length - 1] } : {},
      onStep: (step, loss) => {
        epochSum += loss;
        if (!plan.endsEpoch(step)) return;
        history.trainLoss.push(epochSum / plan.stepsPerEpoch);
        epochSum = 0;
        if (val) history.valLoss.push(captionLoss(model, val));
      },
    },
    (step) => {
      const [f, cap] = tf.tidy(() => {
        const idx = tf.tensor1d(plan.indices(step), 'int32');
        return [tf.gather(train.features, idx), tf.gather(train.captions, idx)];
      });
      try {
        return model.loss(f, cap);
      } finally {
        tf.dispose([f, cap]);
      }
    },
  ).losses;
  history.seconds = (Date.now() - start) / 1000;
  if (opts.checkpoint) saveCheckpoint(opts.checkpoint, key, model.params, history);
  return history;
}
