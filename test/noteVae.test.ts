/**
 * NoteVAE (issue 12): the whole loss — reconstruction + β·KL + γ·AR — and its hand backward through
 * affine/ReLU/reparameterisation/KL/AR against tfjs autodiff of the same forward (≤ 1e-5) and a
 * float64 numeric gradient of an independent reference (≤ 1e-4); seeded training lowers the loss
 * without leaking tensors; pooling round trip; argument errors.
 */
import { describe, expect, it } from 'vitest';
import { tf, Rng } from '../lib';
import {
  noteVaeLoss,
  initNoteVaeParams,
  NOTE_VAE_PARAM_NAMES,
  NoteVaeParams,
  trainNoteVae,
  poolNoteFrames,
  unpoolNoteFrames,
  noteVaeEncode,
  noteVaeDecode,
} from '../lib/models/latent/noteVae';
import { F64, randF64, toTensor, fromTensor, relError, numericVjp, matmul, addBroadcast, map } from './helpers';
import { attributeRegularizationRef, gaussianKlRef } from './ref/latent';

type P64 = Record<(typeof NOTE_VAE_PARAM_NAMES)[number], F64>;

const relu = (a: F64) => map(a, (v) => Math.max(v, 0));
const col = (a: F64, r: number): F64 => ({
  data: Float64Array.from({ length: a.shape[0] }, (_, i) => a.data[i * a.shape[1] + r]),
  shape: [a.shape[0]],
});

/** Float64 reference of the NoteVAE loss with fixed noise. */
function lossRef(
  p: P64,
  x: F64,
  eps: F64,
  attrs: F64 | null,
  w: { beta: number; gamma: number; delta: number },
): number {
  const N = x.shape[0];
  const h = relu(addBroadcast(matmul(x, p.We), p.be));
  const mu = addBroadcast(matmul(h, p.Wmu), p.bmu),
    lv = addBroadcast(matmul(h, p.Wlv), p.blv);
  const z = map(mu, (m, i) => m + Math.exp(0.5 * lv.data[i]) * eps.data[i]);
  const xhat = addBroadcast(matmul(relu(addBroadcast(matmul(z, p.Wd), p.bd)), p.Wo), p.bo);
  let recon = 0;
  for (let i = 0; i < x.data.length; i++) recon += (xhat.data[i] - x.data[i]) ** 2;
  let ar = 0;
  for (let r = 0; attrs && r < attrs.shape[1]; r++) ar += attributeRegularizationRef(col(z, r), col(attrs, r), w.delta);
  return recon / N + w.beta * gaussianKlRef(mu, lv) + w.gamma * ar;
}

/** The same forward in tfjs ops, differentiated by autodiff. */
function lossTf(
  p: Record<string, tf.Tensor>,
  x: tf.Tensor,
  eps: tf.Tensor,
  attrs: tf.Tensor | null,
  w: { beta: number; gamma: number; delta: number },
): tf.Scalar {
  const N = x.shape[0];
  const h = tf.relu(tf.add(tf.matMul(x, p.We), p.be));
  const mu = tf.add(tf.matMul(h, p.Wmu), p.bmu),
    lv = tf.add(tf.matMul(h, p.Wlv), p.blv);
  const z = tf.add(mu, tf.mul(tf.exp(tf.mul(0.5, lv)), eps));
  const xhat = tf.add(tf.matMul(tf.relu(tf.add(tf.matMul(z, p.Wd), p.bd)), p.Wo), p.bo);
  const recon = tf.div(tf.sum(tf.square(tf.sub(xhat, x))), N);
  const kl = tf.div(tf.sum(tf.sub(tf.sub(tf.add(tf.square(mu), tf.exp(lv)), lv), 1)), 2 * N);
  let ar: tf.Tensor = tf.scalar(0);
  const pair = (v: tf.Tensor) => tf.sub(tf.expandDims(v, 1), tf.expandDims(v, 0));
  for (let r = 0; attrs && r < (attrs.shape[1] ?? 0); r++) {
    const zr = tf.squeeze(tf.slice(z, [0, r], [N, 1]), [1]),
      ar_ = tf.squeeze(tf.slice(attrs, [0, r], [N, 1]), [1]);
    ar = tf.add(ar, tf.div(tf.sum(tf.abs(tf.sub(tf.tanh(tf.mul(w.delta, pair(zr))), tf.sign(pair(ar_))))), N * N));
  }
  return tf.add(tf.add(recon, tf.mul(w.beta, kl)), tf.mul(w.gamma, ar)) as tf.Scalar;
}

describe('NoteVAE loss and hand backward', () => {
  for (const [label, w, R] of [
    ['β-VAE (γ = 0)', { beta: 0.7, gamma: 0, delta: 1 }, 0],
    ['AR-VAE (γ > 0 on 2 of 3 dims)', { beta: 0.5, gamma: 2, delta: 3 }, 2],
  ] as const) {
    it(`${label}: every parameter's gradient matches autodiff and float64 numerics`, () => {
      const rng = new Rng(11);
      const N = 6,
        D = 5,
        H = 4,
        K = 3;
      const init = initNoteVaeParams({ inputDim: D, hidden: H, latent: K }, rng);
      const p64 = Object.fromEntries(
        Object.entries(init).map(([k, v]) => [k, map(fromTensor(v), (u) => u + 0.05 * rng.normal())]),
      ) as P64;
      tf.dispose(Object.values(init));
      const x = randF64([N, D], rng),
        eps = randF64([N, K], rng),
        attrs = R ? randF64([N, R], rng) : null;
      const params = Object.fromEntries(Object.entries(p64).map(([k, v]) => [k, toTensor(v)])) as NoteVaeParams;
      const xT = toTensor(x),
        epsT = toTensor(eps),
        aT = attrs ? toTensor(attrs) : null;
      const before = tf.memory().numTensors;
      const res = noteVaeLoss(params, xT, { eps: epsT }, aT, w);
      expect(tf.memory().numTensors - before).toBe(NOTE_VAE_PARAM_NAMES.length);
      expect(Math.abs(res.loss - lossRef(p64, x, eps, attrs, w)) / Math.abs(res.loss)).toBeLessThan(1e-5);
      const names = [...NOTE_VAE_PARAM_NAMES];
      const auto = tf.tidy(() =>
        tf.grads((...ps: tf.Tensor[]) => lossTf(Object.fromEntries(names.map((n, i) => [n, ps[i]])), xT, epsT, aT, w))(
          names.map((n) => params[n]),
        ),
      );
      names.forEach((n, i) => {
        expect(relError(res.grads[n], auto[i]), `${n} vs autodiff`).toBeLessThan(1e-5);
        expect(
          relError(
            res.grads[n],
            numericVjp(() => lossRef(p64, x, eps, attrs, w), p64[n], null),
          ),
          `${n} vs numeric`,
        ).toBeLessThan(1e-4);
      });
      tf.dispose([res.grads, auto, params, xT, epsT, ...(aT ? [aT] : [])]);
    });
  }

  it('names wrong shapes and weights', () => {
    const p = initNoteVaeParams({ inputDim: 4, hidden: 3, latent: 2 }, new Rng(1));
    const x = tf.zeros([5, 4]);
    expect(() => noteVaeLoss(p, tf.zeros([5, 6]), { rng: new Rng(1) }, null, { beta: 1, gamma: 0, delta: 1 })).toThrow(
      "noteVaeLoss: argument 'params.We' expected shape [6, H] but got [4, 3]",
    );
    expect(() => noteVaeLoss(p, x, { rng: new Rng(1) }, tf.zeros([5, 3]), { beta: 1, gamma: 1, delta: 1 })).toThrow(
      "noteVaeLoss: argument 'attributes' expected at most K = 2 columns but got 3",
    );
    expect(() => noteVaeLoss(p, x, { rng: new Rng(1) }, null, { beta: -1, gamma: 0, delta: 1 })).toThrow(
      "noteVaeLoss: argument 'weights.beta'",
    );
    tf.dispose([p, x]);
  });
});

describe('NoteVAE training and pooling', () => {
  it('seeded training lowers the loss, is reproducible and leaves only the returned params', () => {
    const rng = new Rng(5);
    const x = tf.tidy(() =>
      tf.matMul(tf.randomNormal([64, 2], 0, 1, 'float32', 3), tf.randomNormal([2, 12], 0, 1, 'float32', 4)),
    );
    const a = tf.tidy(() => tf.slice(x, [0, 0], [64, 1]));
    const before = tf.memory().numTensors;
    const opts = { hidden: 16, latent: 3, steps: 150, batchSize: 16, lr: 3e-3, seed: 2, beta: 0.1, gamma: 1, delta: 5 };
    const run = trainNoteVae(x, a, opts);
    expect(tf.memory().numTensors - before).toBe(NOTE_VAE_PARAM_NAMES.length);
    const first = run.history.slice(0, 10).reduce((s, h) => s + h.recon, 0),
      last = run.history.slice(-10).reduce((s, h) => s + h.recon, 0);
    expect(last).toBeLessThan(0.5 * first);
    expect(run.history.slice(-10).reduce((s, h) => s + h.ar, 0) / 10).toBeLessThan(
      run.history.slice(0, 10).reduce((s, h) => s + h.ar, 0) / 10,
    );
    const again = trainNoteVae(x, a, opts);
    expect(again.history.at(-1)).toEqual(run.history.at(-1));
    const { mu } = noteVaeEncode(run.params, x);
    const xhat = noteVaeDecode(run.params, mu);
    expect(xhat.shape).toEqual([64, 12]);
    tf.dispose([x, a, mu, xhat, run.params, again.params]);
    void rng;
  });

  it('pools frames into block means and unpools them back', () => {
    const logMel = tf.tensor3d(
      Float32Array.from({ length: 2 * 6 * 2 }, (_, i) => i),
      [2, 6, 2],
    );
    const { x, mean, std } = poolNoteFrames(logMel, 3);
    expect(x.shape).toEqual([2, 6]);
    const row = Array.from(x.dataSync().slice(0, 6)).map((v) => v * std + mean);
    expect(row.map((v) => Math.round(v * 1e4) / 1e4)).toEqual([1, 2, 5, 6, 9, 10]);
    const back = unpoolNoteFrames(x.dataSync().slice(0, 6), 3, 6, { mean, std });
    expect(Array.from(back.slice(0, 4)).map((v) => Math.round(v * 1e4) / 1e4)).toEqual([1, 2, 1, 2]);
    expect(() => poolNoteFrames(logMel, 4)).toThrow(
      "poolNoteFrames: argument 'blocks' expected a divisor of the 6 frames but got 4",
    );
    tf.dispose([logMel, x]);
  });
});
