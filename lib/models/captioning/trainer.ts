/**
 * Training of {@link CaptioningRNN} with the library's training loop: minibatches in seeded
 * epochs, the hand-written gradients, global-norm clipping, a NaN guard, Adam with
 * exponential learning-rate decay (×`lrDecay` per epoch), train/validation loss per epoch,
 * early stopping on the validation loss (`patience`: stop when it has not improved for that many
 * epochs, and keep the weights of the best epoch), progress display and an optional checkpoint
 * (the shipped-weights format).
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
  /**
   * Early stopping (needs validation data): stop once the validation loss has not improved for
   * this many epochs, and restore the weights of its best epoch. Default: train all `epochs`.
   */
  patience?: number;
  /** Called after each epoch with the epoch (1-based), its mean training loss and its validation loss. */
  onEpoch?: (epoch: number, losses: { train: number; val: number | null }) => void;
}

export interface CaptionHistory {
  /** Loss of every minibatch. */
  stepLoss: number[];
  /** Mean minibatch loss per epoch. */
  trainLoss: number[];
  /** Validation loss at the end of each epoch (empty without validation data). */
  valLoss: number[];
  /** The epoch whose weights the model holds (the last, or the best one under early stopping). */
  keptEpoch: number;
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
  if (opts.patience !== undefined)
    c.number('patience', opts.patience, { integer: true, min: 1 }).require(
      val !== null,
      "argument 'opts.patience' needs validation data: early stopping watches the validation loss",
    );
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
    patience: opts.patience ?? null,
  });
  if (opts.checkpoint && opts.reuseCheckpoint) {
    const saved = loadCheckpoint<CaptionHistory>(opts.checkpoint, key, model.params);
    if (saved) return { ...saved, fromCheckpoint: true };
  }
  const start = Date.now();
  const plan = seededEpochBatches('trainCaptioner', { N, batchSize, epochs, seed });
  const schedule = exponentialDecay({ lr0: lr, decayRate: lrDecay, decaySteps: plan.stepsPerEpoch });
  const history: CaptionHistory = {
    stepLoss: [],
    trainLoss: [],
    valLoss: [],
    keptEpoch: 0,
    seconds: 0,
    fromCheckpoint: false,
  };
  let epochSum = 0;
  let best: { epoch: number; loss: number; params: Record<string, tf.Tensor> } | null = null;
  const keepBest = (epoch: number, loss: number): void => {
    if (best && loss >= best.loss) return;
    if (best) tf.dispose(Object.values(best.params));
    best = { epoch, loss, params: Object.fromEntries(Object.entries(model.params).map(([k, v]) => [k, tf.clone(v)])) };
  };
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
        const epoch = history.trainLoss.length;
        history.keptEpoch = epoch;
        if (val) history.valLoss.push(captionLoss(model, val));
        if (opts.patience !== undefined) keepBest(epoch, history.valLoss[epoch - 1]);
        opts.onEpoch?.(epoch, { train: history.trainLoss[epoch - 1], val: history.valLoss[epoch - 1] ?? null });
      },
      shouldStop: () =>
        opts.patience !== undefined && best !== null && history.trainLoss.length - best.epoch >= opts.patience,
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
  const kept = best as { epoch: number; params: Record<string, tf.Tensor> } | null;
  if (kept) {
    for (const [k, v] of Object.entries(kept.params)) model.params[k].assign(v);
    tf.dispose(Object.values(kept.params));
    history.keptEpoch = kept.epoch;
  }
  history.seconds = (Date.now() - start) / 1000;
  if (opts.checkpoint) saveCheckpoint(opts.checkpoint, key, model.params, history);
  return history;
}
