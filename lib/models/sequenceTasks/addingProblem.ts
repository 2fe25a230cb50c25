/**
 * The adding problem (Hochreiter & Schmidhuber, 1997): a sequence of T pairs (uₜ, mₜ) with
 * uₜ ~ U(0, 1) and exactly two markers mₜ = 1, one in each half; the target is the sum of the
 * two marked values. Predicting the mean, 1, gives MSE ≈ 1/6 — a model beats that only by
 * carrying a value across up to T steps.
 *
 * {@link trainAddingProblem} trains an RNN or LSTM regressor on it with the hand-written
 * layers, a hand-written MSE gradient and the library's training loop (Adam, global-norm
 * clipping, NaN guard).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { Rng, randn } from '../../core/random';
import { rnnForward, rnnBackward, RnnCache } from '../../layers/rnn';
import { lstmForward, lstmBackward, LstmCache } from '../../layers/lstm';
import { affineForward, affineBackward } from '../../layers/affine';
import { disposeCache } from '../../layers/cache';
import { trainLoop } from '../../train/trainLoop';

/** A batch: x [N, T, 2] (value, marker), y [N, 1]. */
export function addingProblemBatch(N: number, T: number, rng: Rng): { x: tf.Tensor3D; y: tf.Tensor2D } {
  checkArgs('addingProblemBatch').number('N', N, { integer: true, min: 1 }).number('T', T, { integer: true, min: 2 });
  const x = new Float32Array(N * T * 2);
  const y = new Float32Array(N);
  for (let n = 0; n < N; n++) {
    const half = Math.floor(T / 2);
    const marks = [rng.int(half), half + rng.int(T - half)];
    for (let t = 0; t < T; t++) {
      const u = rng.uniform();
      x[(n * T + t) * 2] = u;
      if (marks.includes(t)) {
        x[(n * T + t) * 2 + 1] = 1;
        y[n] += u;
      }
    }
  }
  return { x: tf.tensor3d(x, [N, T, 2]), y: tf.tensor2d(y, [N, 1]) };
}

export interface AddingResult {
  cell: 'rnn' | 'lstm';
  /** Training MSE per step. */
  losses: number[];
  /** MSE on a fresh held-out batch after training (1000 sequences, the same for every cell of a seed). */
  testMse: number;
  /** MSE of always predicting 1 on the same held-out batch. */
  baselineMse: number;
  /** (ŷₙ − yₙ)² of each held-out sequence: their mean is `testMse`. */
  testSquaredErrors: number[];
  /** (1 − yₙ)² of each held-out sequence: their mean is `baselineMse`. */
  baselineSquaredErrors: number[];
}

/** Weights of the adding-problem regressor: the recurrent layer (Wx, Wh, b) and the linear head (w, bo). */
export interface AddingParams {
  Wx: tf.Tensor2D;
  Wh: tf.Tensor2D;
  b: tf.Tensor1D;
  w: tf.Tensor2D;
  bo: tf.Tensor1D;
}

/**
 * The initial weights {@link trainAddingProblem} starts from (G = 4H for the LSTM, H for the
 * RNN): Wx ~ N(0, 1/2) [2, G], Wh ~ N(0, 1/H) [H, G], b = 0 except the LSTM's forget-gate
 * block = 1 (gate order i, f, o, g), head w ~ N(0, 1/H) [H, 1], bo = 0. Drawn from `rng` in
 * that order.
 */
export function initAddingProblemParams(cell: 'rnn' | 'lstm', hidden: number, rng: Rng): AddingParams {
  checkArgs('initAddingProblemParams')
    .require(cell === 'rnn' || cell === 'lstm', `argument 'cell' expected 'rnn' or 'lstm' but got ${cell}`)
    .number('hidden', hidden, { integer: true, min: 1 });
  const H = hidden;
  const G = cell === 'lstm' ? 4 * H : H;
  return tf.tidy(() => ({
    Wx: randn([2, G], rng, 1 / Math.sqrt(2)) as tf.Tensor2D,
    Wh: randn([H, G], rng, 1 / Math.sqrt(H)) as tf.Tensor2D,
    b: (cell === 'lstm' ? tf.concat([tf.zeros([H]), tf.ones([H]), tf.zeros([2 * H])]) : tf.zeros([H])) as tf.Tensor1D,
    w: randn([H, 1], rng, 1 / Math.sqrt(H)) as tf.Tensor2D,
    bo: tf.zeros([1]) as tf.Tensor1D,
  }));
}

/**
 * Trains `cell` on the adding problem with sequences of length T: h = cell(x), ŷ = h_T·w + b,
 * L = mean (ŷ − y)², ∂L/∂ŷ = 2(ŷ − y)/N, backprop through the affine head and the recurrent
 * layer (only the last step receives a gradient). Each step draws a fresh batch from the
 * seed; the library's training loop clips to global norm `clip` (default 1) and applies Adam.
 */
export function trainAddingProblem(opts: {
  cell: 'rnn' | 'lstm';
  T: number;
  hidden: number;
  steps: number;
  batch: number;
  lr: number;
  seed: number;
  clip?: number;
}): AddingResult {
  const { cell, T, hidden: H, steps, batch: N, lr, seed } = opts;
  checkArgs('trainAddingProblem')
    .require(cell === 'rnn' || cell === 'lstm', `argument 'cell' expected 'rnn' or 'lstm' but got ${cell}`)
    .number('T', T, { integer: true, min: 2 })
    .number('hidden', H, { integer: true, min: 1 })
    .number('steps', steps, { integer: true, min: 1 })
    .number('batch', N, { integer: true, min: 1 })
    .number('lr', lr, { min: 0, exclusiveMin: true })
    .number('seed', seed, { integer: true })
    .number('clip', opts.clip ?? 1, { min: 0, exclusiveMin: true });
  const rng = new Rng(seed);
  const init = initAddingProblemParams(cell, H, rng);
  const params = Object.fromEntries(Object.entries(init).map(([k, t]) => [k, tf.variable(t)])) as Record<
    keyof AddingParams,
    tf.Variable
  >;
  tf.dispose(Object.values(init));
  const forward = cell === 'lstm' ? lstmForward : rnnForward;
  const backward = (dh: tf.Tensor, cache: RnnCache | LstmCache): { dWx: tf.Tensor; dWh: tf.Tensor; db: tf.Tensor } =>
    cell === 'lstm' ? lstmBackward(dh, cache as LstmCache) : rnnBackward(dh, cache as RnnCache);
  const predict = (x: tf.Tensor): tf.Tensor =>
    tf.tidy(() => {
      const { h, cache } = forward(x, tf.zeros([x.shape[0], H]), params.Wx, params.Wh, params.b);
      disposeCache(cache);
      return affineForward(tf.squeeze(tf.slice(h, [0, T - 1, 0], [-1, 1, -1]), [1]), params.w, params.bo).out;
    });
  const { losses } = trainLoop(
    'trainAddingProblem',
    params,
    { steps, lr, clipNorm: opts.clip ?? 1, label: `${cell} T=${T}` },
    () => {
      const { x, y } = addingProblemBatch(N, T, rng);
      const { loss, ...grads } = tf.tidy(() => {
        const { h, cache } = forward(x, tf.zeros([N, H]), params.Wx, params.Wh, params.b);
        const last = tf.squeeze(tf.slice(h, [0, T - 1, 0], [-1, 1, -1]), [1]);
        const head = affineForward(last, params.w, params.bo);
        const diff = tf.sub(head.out, y);
        const dHead = affineBackward(tf.mul(diff, 2 / N), head.cache);
        const dh = tf.concat([tf.zeros([N, T - 1, H]), tf.expandDims(dHead.dx, 1)], 1);
        const g = backward(dh, cache);
        return { loss: tf.mean(tf.square(diff)), Wx: g.dWx, Wh: g.dWh, b: g.db, w: dHead.dw, bo: dHead.db };
      });
      const lossValue = loss.dataSync()[0];
      tf.dispose([x, y, loss]);
      return { loss: lossValue, grads };
    },
  );
  const test = addingProblemBatch(1000, T, new Rng(seed + 1_000_003));
  const [testSquaredErrors, baselineSquaredErrors] = tf.tidy(() => {
    const yHat = predict(test.x);
    return [
      Array.from(tf.square(tf.sub(yHat, test.y)).dataSync()),
      Array.from(tf.square(tf.sub(test.y, 1)).dataSync()),
    ];
  });
  tf.dispose([test.x, test.y, ...Object.values(params)]);
  const mean = (v: number[]): number => v.reduce((a, b) => a + b, 0) / v.length;
  return {
    cell,
    losses,
    testMse: mean(testSquaredErrors),
    baselineMse: mean(baselineSquaredErrors),
    testSquaredErrors,
    baselineSquaredErrors,
  };
}

/** One seed of notebook 02's comparison: {@link compareAddingProblemCells}' results. */
export interface AddingComparison {
  lstm: AddingResult;
  rnn: AddingResult;
  'LSTM test MSE': number;
  'RNN test MSE': number;
  'baseline MSE': number;
}

/**
 * The LSTM and the vanilla RNN trained on the adding problem with the same options and seed
 * (the same batches and held-out set), for {@link runSeeds}; a library function so that seeds
 * can run on worker threads (`bp.seedTask('sequenceTasks.compareAddingProblemCells', …)`).
 */
export function compareAddingProblemCells(
  opts: Omit<Parameters<typeof trainAddingProblem>[0], 'cell'>,
): AddingComparison {
  checkArgs('compareAddingProblemCells').require(
    opts !== null && typeof opts === 'object',
    `argument 'opts' expected the options of trainAddingProblem without 'cell' ` +
      `but got ${opts === null ? 'null' : typeof opts}`,
  );
  const lstm = trainAddingProblem({ ...opts, cell: 'lstm' });
  const rnn = trainAddingProblem({ ...opts, cell: 'rnn' });
  return { lstm, rnn, 'LSTM test MSE': lstm.testMse, 'RNN test MSE': rnn.testMse, 'baseline MSE': lstm.baselineMse };
}
