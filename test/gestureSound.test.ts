/**
 * Gesture ↔ sound contrastive embedding (issue 12, axis 3): the two encoders' hand backward
 * through temporal affine, ReLU, mean pooling, affine and the symmetric InfoNCE against autodiff
 * (≤ 1e-5) and a float64 numeric gradient (≤ 1e-4), including the logit-scale gradient; seeded
 * synthetic pairs; training beats chance retrieval on held-out pairs without leaks; top-k.
 */
import { describe, expect, it } from 'vitest';
import { tf, Rng } from '../lib';
import {
  synthGestureSound,
  initSequenceEncoder,
  gestureSoundLoss,
  trainGestureSound,
  embedSequences,
  cosineSimilarity,
  topKAccuracy,
  SequenceEncoderParams,
} from '../lib/models/latent/gestureSound';
import { F64, f64, randF64, toTensor, fromTensor, relError, numericVjp, matmul, addBroadcast, map } from './helpers';
import { infoNceRef } from './ref/losses';

const KEYS = ['W1', 'b1', 'W2', 'b2'] as const;
type Enc64 = Record<(typeof KEYS)[number], F64>;

function encoderRef(p: Enc64, f: F64): F64 {
  const [N, T, F] = f.shape;
  const h = map(addBroadcast(matmul({ data: f.data, shape: [N * T, F] }, p.W1), p.b1), (v) => Math.max(v, 0));
  const H = p.W1.shape[1];
  const m = f64([N, H]);
  for (let n = 0; n < N; n++)
    for (let t = 0; t < T; t++) for (let k = 0; k < H; k++) m.data[n * H + k] += h.data[(n * T + t) * H + k] / T;
  return addBroadcast(matmul(m, p.W2), p.b2);
}

describe('gesture ↔ sound InfoNCE encoders', () => {
  it('every gradient (both encoders and the logit scale) matches autodiff and float64 numerics', () => {
    const rng = new Rng(21);
    const N = 5,
      T = 4,
      logit = 0.4;
    const mk = (F: number): Enc64 => {
      const p = initSequenceEncoder(F, 3, 2, rng);
      const out = Object.fromEntries(
        KEYS.map((k) => [k, map(fromTensor(p[k]), (v) => v + 0.1 * rng.normal())]),
      ) as Enc64;
      tf.dispose(p);
      return out;
    };
    const pg = mk(5),
      ps = mk(4),
      g = randF64([N, T, 5], rng),
      s = randF64([N, T, 4], rng);
    const T_ = (p: Enc64) => Object.fromEntries(KEYS.map((k) => [k, toTensor(p[k])])) as SequenceEncoderParams;
    const params = { gesture: T_(pg), sound: T_(ps) },
      gT = toTensor(g),
      sT = toTensor(s);
    const before = tf.memory().numTensors;
    const r = gestureSoundLoss(params, gT, sT, logit);
    expect(tf.memory().numTensors - before).toBe(8);
    const ref = (lg = logit) => infoNceRef(encoderRef(pg, g), encoderRef(ps, s), Math.exp(-lg));
    expect(Math.abs(r.loss - ref())).toBeLessThan(1e-5);
    const scale = f64([1], [logit]);
    expect(Math.abs(r.dLogitScale - numericVjp(() => ref(scale.data[0]), scale, null).data[0])).toBeLessThan(1e-5);
    const flat = [...KEYS.map((k) => params.gesture[k]), ...KEYS.map((k) => params.sound[k])];
    const auto = tf.tidy(() =>
      tf.grads((...ps_: tf.Tensor[]) => {
        const enc = (o: number, f: tf.Tensor) =>
          embedSequences({ W1: ps_[o], b1: ps_[o + 1], W2: ps_[o + 2], b2: ps_[o + 3] }, f);
        const unit = (x: tf.Tensor) => tf.div(x, tf.norm(x, 'euclidean', 1, true));
        const S = tf.mul(tf.matMul(unit(enc(0, gT)), tf.transpose(unit(enc(4, sT)))), Math.exp(logit));
        const ce = (m: tf.Tensor) => tf.neg(tf.sum(tf.mul(tf.eye(N), tf.sub(m, tf.logSumExp(m, 1, true)))));
        return tf.div(tf.add(ce(S), ce(tf.transpose(S))), 2 * N) as tf.Scalar;
      })(flat),
    );
    KEYS.forEach((k, i) => {
      for (const [m, p64, off] of [
        ['g', pg, 0],
        ['s', ps, 4],
      ] as const) {
        expect(relError(r.grads[`${m}.${k}`], auto[off + i]), `${m}.${k} vs autodiff`).toBeLessThan(1e-5);
        expect(
          relError(
            r.grads[`${m}.${k}`],
            numericVjp(() => ref(), p64[k], null),
          ),
          `${m}.${k} vs numeric`,
        ).toBeLessThan(1e-4);
      }
    });
    tf.dispose([r.grads, auto, params, gT, sT]);
  });

  it('synthetic pairs are seeded; training beats chance retrieval on held-out pairs without leaks', () => {
    const a = synthGestureSound({ n: 240, steps: 16, performers: 4, seed: 3 });
    const b = synthGestureSound({ n: 240, steps: 16, performers: 4, seed: 3 });
    expect(Array.from(a.gestures.dataSync())).toEqual(Array.from(b.gestures.dataSync()));
    const split = (t: tf.Tensor, lo: number, n: number) => tf.slice(t, [lo, 0, 0], [n, -1, -1]);
    const [gTr, sTr, gTe, sTe] = [
      split(a.gestures, 0, 200),
      split(a.sounds, 0, 200),
      split(a.gestures, 200, 40),
      split(a.sounds, 200, 40),
    ];
    const before = tf.memory().numTensors;
    const run = trainGestureSound(gTr, sTr, { hidden: 32, embed: 16, steps: 150, batchSize: 32, lr: 3e-3, seed: 1 });
    expect(tf.memory().numTensors - before).toBe(8);
    const eg = embedSequences(run.params.gesture, gTe),
      es = embedSequences(run.params.sound, sTe);
    const sim = cosineSimilarity(eg, es);
    expect(topKAccuracy(sim, 5)).toBeGreaterThan(3 * (5 / 40));
    expect(run.history.slice(-10).reduce((x, y) => x + y, 0)).toBeLessThan(
      run.history.slice(0, 10).reduce((x, y) => x + y, 0),
    );
    tf.dispose([a.gestures, a.sounds, b.gestures, b.sounds, gTr, sTr, gTe, sTe, eg, es, run.params]);
  });

  it('top-k counts ties against the pair and names bad arguments', () => {
    expect(
      topKAccuracy(
        [
          [1, 0],
          [1, 0],
        ],
        1,
      ),
    ).toBe(0.5);
    expect(
      topKAccuracy(
        [
          [1, 0],
          [1, 0],
        ],
        2,
      ),
    ).toBe(1);
    expect(() => topKAccuracy([[1, 0]], 1)).toThrow("topKAccuracy: argument 'sim' expected a square number[][]");
    expect(() => synthGestureSound({ n: 0, steps: 5, performers: 1, seed: 1 })).toThrow(
      "synthGestureSound: argument 'n'",
    );
  });
});
