/**
 * Exposure bias of a caption decoder, measured per time step.
 *
 * Training feeds the decoder the reference prefix (teacher forcing); at test time it reads
 * its own previous words (free running). Both runs below score the same reference word at
 * each step t,
 *
 *   teacher-forced:  ℓₜ = −log p(y_{t+1} | y₀ … y_t, image)
 *   free-running:    ℓ̂ₜ = −log p(y_{t+1} | y₀, ŷ₁ … ŷ_t, image),  ŷ_s = argmax p(· | y₀, ŷ₁ … ŷ_{s−1})
 *
 * averaged over the captions whose reference has a word at t + 1 (not `<NULL>`). The gap
 * ℓ̂ₜ − ℓₜ is what conditioning on its own (possibly wrong) words costs the model. With one
 * reference per scene a different but correct phrasing also raises ℓ̂ₜ, so the fraction of
 * captions whose greedy prefix still equals the reference's is returned beside it.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { CaptioningRNN, DecoderState, disposeDecoderState } from './captioningRnn';

export interface ExposureBias {
  /** Mean teacher-forced and free-running loss per step t = 0 … T−1 (predicting word t + 1). */
  teacherForced: number[];
  freeRunning: number[];
  /** Captions with a reference word at t + 1. */
  tokens: number[];
  /** Among those, the fraction whose greedy words 1 … t equal the reference's. */
  prefixIntact: number[];
  /** Loss summed over steps and averaged over captions, as `CaptioningRNN.loss` reports it. */
  teacherForcedTotal: number;
  freeRunningTotal: number;
}

/**
 * Runs the decoder on `captions` [N, L] (int32, `<START> … <END> <NULL>…`) twice, teacher-forced
 * and free-running, and returns the per-step losses of the reference words.
 *
 * @param features [N, D] or [N, D, P, P], as the model's cell type reads
 */
export function exposureBias(model: CaptioningRNN, features: tf.Tensor, captions: tf.Tensor): ExposureBias {
  const { N, L } = checkArgs('exposureBias')
    .tensor('captions', captions, ['N', 'L'], 'int32')
    .tensor('features', features, ['N', ...model.featureSpec.slice(1)], 'float32').dims;
  const T = L - 1;
  const { V } = model.dims;
  const nullIdx = model.wordToIdx['<NULL>'];
  const ref = captions.arraySync() as number[][];
  const banned = tf.tensor1d(
    Array.from({ length: V }, (_, v) => (v === nullIdx || v === model.wordToIdx['<START>'] ? -1e9 : 0)),
  );
  const out: ExposureBias = {
    teacherForced: [],
    freeRunning: [],
    tokens: [],
    prefixIntact: [],
    teacherForcedTotal: 0,
    freeRunningTotal: 0,
  };
  const intact = new Array<boolean>(N).fill(true);
  let teacher: DecoderState = model.startDecoding(features);
  let free: DecoderState = { h: tf.clone(teacher.h), c: tf.clone(teacher.c), A: teacher.A };
  let teacherWord = tf.tensor1d(
    ref.map((r) => r[0]),
    'int32',
  );
  let freeWord = tf.clone(teacherWord);
  try {
    for (let t = 0; t < T; t++) {
      const target = ref.map((r) => r[t + 1]);
      const counted = target.map((y) => y !== nullIdx);
      const tokens = counted.filter(Boolean).length;
      const a = model.decodeStep(teacher, teacherWord);
      const b = model.decodeStep(free, freeWord);
      const [lossA, lossB, greedy] = tf.tidy(() => {
        const y = tf.oneHot(tf.tensor1d(target, 'int32'), V);
        const nll = (s: tf.Tensor): tf.Tensor => tf.neg(tf.sum(tf.mul(y, tf.logSoftmax(s)), 1));
        return [nll(a.scores), nll(b.scores), tf.cast(tf.argMax(tf.add(b.scores, banned), 1), 'int32')];
      });
      const [la, lb, g] = [lossA.dataSync(), lossB.dataSync(), greedy.dataSync()];
      let [sumA, sumB, kept] = [0, 0, 0];
      for (let n = 0; n < N; n++) {
        if (!counted[n]) continue;
        sumA += la[n];
        sumB += lb[n];
        if (intact[n]) kept += 1;
      }
      out.teacherForced.push(tokens ? sumA / tokens : NaN);
      out.freeRunning.push(tokens ? sumB / tokens : NaN);
      out.tokens.push(tokens);
      out.prefixIntact.push(tokens ? kept / tokens : NaN);
      out.teacherForcedTotal += sumA / N;
      out.freeRunningTotal += sumB / N;
      for (let n = 0; n < N; n++) if (g[n] !== target[n]) intact[n] = false;
      tf.dispose([
        teacher.h,
        teacher.c,
        free.h,
        free.c,
        teacherWord,
        freeWord,
        a.scores,
        b.scores,
        lossA,
        lossB,
        ...(a.weights ? [a.weights] : []),
        ...(b.weights ? [b.weights] : []),
      ]);
      teacher = a.state;
      free = b.state;
      teacherWord = tf.tensor1d(target, 'int32');
      freeWord = greedy;
    }
  } finally {
    disposeDecoderState(teacher);
    tf.dispose([free.h, free.c, teacherWord, freeWord, banned]);
  }
  return out;
}
