/**
 * Contrastive gesture ↔ sound embedding (issue 12, axis 3): synthetic 2-D hand trajectories
 * paired with sound-descriptor trajectories, two small encoders and the symmetric InfoNCE of
 * CLIP with a learnable temperature.
 *
 * Data (ours, seeded). A sound trajectory over T steps is [pitch p(t), loudness l(t),
 * noisiness ν(t)]: p a random sinusoid plus slope, l a random offset plus slow sinusoid, ν a
 * random level with a small drift. Performer j (style gains g, s, k and offset o) draws
 *   height  y(t) = g_j p(t) + o_j + 0.05 ε,     speed ẋ(t) = s_j softplus(l(t) + 1) / T,
 *   jitter  both coordinates + 0.3 k_j ν(t) ε,
 * so height ↔ pitch contour, speed ↔ loudness, jitter ↔ noisiness, with per-performer style noise.
 *
 * Encoder (one per modality), per step features f [N, T, F] (the gesture's x, y, 10·Δx, 10·Δy
 * and t/T; the sound's p, l, ν and t/T):
 *   h = ReLU(f·W₁ + b₁) [N, T, H],  m = (1/T) Σₜ h [N, H],  e = m·W₂ + b₂ [N, E]
 * Backward: dm from affineBackward, dh[:, t] = dm / T, ReLU, temporalAffineBackward.
 * Loss: infoNceLoss(e_g, e_s, τ) with τ = e^{−t}; t gets ∂L/∂t = dLogitScale.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { Rng, randn } from '../../core/random';
import { affineForward, affineBackward } from '../../layers/affine';
import { reluForward, reluBackward } from '../../layers/relu';
import { temporalAffineForward, temporalAffineBackward } from '../../layers/temporal';
import { disposeCache } from '../../layers/cache';
import { infoNceLoss } from '../../losses/infoNceLoss';
import { trainLoop } from '../../train/trainLoop';

export interface GestureSoundPairs {
  /** Encoder features per step [N, T, 5]: x, y, 10Δx, 10Δy, t/T. */
  gestures: tf.Tensor3D;
  /** Encoder features per step [N, T, 4]: pitch, loudness, noisiness, t/T. */
  sounds: tf.Tensor3D;
  /** The raw 2-D trajectories [N][T][x, y] (for drawing). */
  xy: number[][][];
  /** Which performer drew each gesture. */
  performer: number[];
}

/** n seeded pairs of T steps drawn by `performers` performers (each with its own style). */
export function synthGestureSound(opts: {
  n: number;
  steps: number;
  performers: number;
  seed: number;
}): GestureSoundPairs {
  checkArgs('synthGestureSound')
    .number('n', opts?.n, { integer: true, min: 1 })
    .number('steps', opts.steps, { integer: true, min: 3 })
    .number('performers', opts.performers, { integer: true, min: 1 })
    .number('seed', opts.seed, { integer: true });
  const { n, steps: T } = opts;
  const rng = new Rng(opts.seed);
  const style = Array.from({ length: opts.performers }, () => ({
    g: 0.7 + 0.6 * rng.uniform(),
    o: 0.3 * rng.normal(),
    s: 0.7 + 0.6 * rng.uniform(),
    k: 0.5 + rng.uniform(),
  }));
  const g = new Float32Array(n * T * 5),
    s = new Float32Array(n * T * 4),
    xy: number[][][] = [],
    performer: number[] = [];
  for (let i = 0; i < n; i++) {
    const a = rng.uniform(),
      f1 = 0.5 + 1.5 * rng.uniform(),
      ph1 = 2 * Math.PI * rng.uniform(),
      slope = rng.normal();
    const c = rng.normal(),
      d = 0.8 * rng.uniform(),
      f2 = 0.5 + rng.uniform(),
      ph2 = 2 * Math.PI * rng.uniform();
    const nu0 = rng.uniform(),
      drift = 0.2 * rng.normal();
    const j = rng.int(opts.performers),
      st = style[j];
    performer.push(j);
    const path: number[][] = [];
    let x = 0;
    for (let t = 0; t < T; t++) {
      const u = t / (T - 1);
      const p = a * Math.sin(2 * Math.PI * f1 * u + ph1) + slope * (u - 0.5);
      const l = c + d * Math.sin(2 * Math.PI * f2 * u + ph2);
      const nu = Math.min(1, Math.max(0, nu0 + drift * (u - 0.5)));
      s.set([p, l, nu, u], (i * T + t) * 4);
      x += (st.s * Math.log1p(Math.exp(l + 1))) / T;
      const jit = 0.3 * st.k * nu;
      path.push([x + jit * rng.normal(), st.g * p + st.o + 0.05 * rng.normal() + jit * rng.normal()]);
    }
    xy.push(path);
    for (let t = 0; t < T; t++) {
      const prev = path[Math.max(0, t - 1)];
      g.set(
        [path[t][0], path[t][1], 10 * (path[t][0] - prev[0]), 10 * (path[t][1] - prev[1]), t / (T - 1)],
        (i * T + t) * 5,
      );
    }
  }
  return { gestures: tf.tensor3d(g, [n, T, 5]), sounds: tf.tensor3d(s, [n, T, 4]), xy, performer };
}

/** One encoder's weights: per-step W₁ [F, H], b₁ [H]; pooled W₂ [H, E], b₂ [E]. */
export type SequenceEncoderParams = { W1: tf.Tensor; b1: tf.Tensor; W2: tf.Tensor; b2: tf.Tensor };

export function initSequenceEncoder(F: number, H: number, E: number, rng: Rng): SequenceEncoderParams {
  checkArgs('initSequenceEncoder')
    .number('F', F, { integer: true, min: 1 })
    .number('H', H, { integer: true, min: 1 })
    .number('E', E, { integer: true, min: 1 });
  return {
    W1: randn([F, H], rng, Math.sqrt(2 / F)),
    b1: tf.zeros([H]),
    W2: randn([H, E], rng, Math.sqrt(1 / H)),
    b2: tf.zeros([E]),
  };
}

/** f [N, T, F] → e [N, E] and the caches for {@link sequenceEncoderBackward}. */
export function sequenceEncoderForward(p: SequenceEncoderParams, f: tf.Tensor) {
  const { T } = checkArgs('sequenceEncoderForward')
    .tensor('f', f, ['N', 'T', 'F'], 'float32')
    .tensor('p.W1', p?.W1, ['F', 'H'], 'float32')
    .tensor('p.W2', p.W2, ['H', 'E'], 'float32').dims;
  const a1 = temporalAffineForward(f, p.W1, p.b1);
  const r = reluForward(a1.out);
  const m = tf.mean(r.out, 1);
  const a2 = affineForward(m, p.W2, p.b2);
  tf.dispose([a1.out, r.out, m]);
  return { e: a2.out, cache: { a1: a1.cache, r: r.cache, a2: a2.cache, T } };
}

/** de [N, E] → the encoder's parameter gradients (the caches are freed). */
export function sequenceEncoderBackward(
  de: tf.Tensor,
  cache: ReturnType<typeof sequenceEncoderForward>['cache'],
): Record<keyof SequenceEncoderParams, tf.Tensor> {
  const g2 = affineBackward(de, cache.a2);
  const dh = tf.tidy(() => tf.div(tf.tile(tf.expandDims(g2.dx, 1), [1, cache.T, 1]), cache.T));
  const gr = reluBackward(dh, cache.r);
  const g1 = temporalAffineBackward(gr.dx, cache.a1);
  tf.dispose([g2.dx, dh, gr.dx, g1.dx]);
  disposeCache(cache.a1);
  disposeCache(cache.r);
  disposeCache(cache.a2);
  return { W1: g1.dw, b1: g1.db, W2: g2.dw, b2: g2.db };
}

export type GestureSoundParams = { gesture: SequenceEncoderParams; sound: SequenceEncoderParams };

/** Symmetric InfoNCE of a batch of pairs with logit scale t (τ = e^{−t}) and all gradients. */
export function gestureSoundLoss(
  params: GestureSoundParams,
  gestures: tf.Tensor,
  sounds: tf.Tensor,
  logitScale: number,
): {
  loss: number;
  grads: Record<string, tf.Tensor>;
  dLogitScale: number;
} {
  checkArgs('gestureSoundLoss')
    .tensor('gestures', gestures, ['N', 'T', 'F'], 'float32')
    .tensor('sounds', sounds, ['N', 'T', 'G'], 'float32')
    .number('logitScale', logitScale);
  const fg = sequenceEncoderForward(params.gesture, gestures),
    fs = sequenceEncoderForward(params.sound, sounds);
  const nce = infoNceLoss(fg.e, fs.e, Math.exp(-logitScale));
  const gg = sequenceEncoderBackward(nce.dza, fg.cache),
    gs = sequenceEncoderBackward(nce.dzb, fs.cache);
  tf.dispose([fg.e, fs.e, nce.dza, nce.dzb]);
  const grads: Record<string, tf.Tensor> = {};
  for (const k of ['W1', 'b1', 'W2', 'b2'] as const) {
    grads[`g.${k}`] = gg[k];
    grads[`s.${k}`] = gs[k];
  }
  return { loss: nce.loss, grads, dLogitScale: nce.dLogitScale };
}

/**
 * Trains both encoders and the logit scale (from log(1/0.07), clamped at log 100 as in CLIP) with Adam
 * on seeded minibatches of pairs.
 */
export function trainGestureSound(
  gestures: tf.Tensor,
  sounds: tf.Tensor,
  opts: {
    hidden: number;
    embed: number;
    steps: number;
    batchSize: number;
    lr: number;
    seed: number;
  },
): { params: GestureSoundParams; logitScale: number; history: number[] } {
  const { N } = checkArgs('trainGestureSound')
    .tensor('gestures', gestures, ['N', 'T', 'F'], 'float32')
    .tensor('sounds', sounds, ['N', 'T', 'G'], 'float32')
    .number('opts.steps', opts?.steps, { integer: true, min: 1 })
    .number('opts.batchSize', opts.batchSize, { integer: true, min: 2, max: gestures.shape[0] }).dims;
  const rng = new Rng(opts.seed);
  const init = {
    g: initSequenceEncoder(gestures.shape[2]!, opts.hidden, opts.embed, rng),
    s: initSequenceEncoder(sounds.shape[2]!, opts.hidden, opts.embed, rng),
  };
  const vars: Record<string, tf.Variable> = {};
  for (const m of ['g', 's'] as const)
    for (const k of ['W1', 'b1', 'W2', 'b2'] as const) vars[`${m}.${k}`] = tf.variable(init[m][k]);
  tf.dispose([init.g, init.s]);
  const view = (m: string): SequenceEncoderParams => ({
    W1: vars[`${m}.W1`],
    b1: vars[`${m}.b1`],
    W2: vars[`${m}.W2`],
    b2: vars[`${m}.b2`],
  });
  const history: number[] = [];
  let t = Math.log(1 / 0.07),
    mT = 0,
    vT = 0,
    dT = 0;
  /** Adam on the scalar logit scale, by hand (same β₁, β₂ as the optimizer), after each update. */
  const stepLogitScale = (step: number, loss: number): void => {
    mT = 0.9 * mT + 0.1 * dT;
    vT = 0.999 * vT + 0.001 * dT ** 2;
    t = Math.min(Math.log(100), t - (opts.lr * mT) / (1 - 0.9 ** step) / (Math.sqrt(vT / (1 - 0.999 ** step)) + 1e-8));
    history.push(loss);
  };
  let order: number[] = [];
  try {
    trainLoop(
      'trainGestureSound',
      vars,
      { steps: opts.steps, lr: opts.lr, clipNorm: 5, progress: false, onStep: stepLogitScale },
      () => {
        if (order.length < opts.batchSize) order = order.concat(rng.permutation(N));
        const idx = tf.tensor1d(order.splice(0, opts.batchSize), 'int32');
        const gb = tf.gather(gestures, idx),
          sb = tf.gather(sounds, idx);
        const r = gestureSoundLoss({ gesture: view('g'), sound: view('s') }, gb, sb, t);
        tf.dispose([idx, gb, sb]);
        dT = r.dLogitScale;
        return { loss: r.loss, grads: r.grads };
      },
    );
    const out = (m: string) => {
      const v = view(m);
      return { W1: tf.clone(v.W1), b1: tf.clone(v.b1), W2: tf.clone(v.W2), b2: tf.clone(v.b2) };
    };
    return { params: { gesture: out('g'), sound: out('s') }, logitScale: t, history };
  } finally {
    tf.dispose(Object.values(vars));
  }
}

/** Embeddings [N, E] of sequences under an encoder (no caches kept). */
export function embedSequences(p: SequenceEncoderParams, f: tf.Tensor): tf.Tensor {
  return tf.tidy(() =>
    tf.add(
      tf.matMul(
        tf.mean(
          tf
            .relu(tf.add(tf.matMul(tf.reshape(f, [-1, f.shape[2]!]), p.W1), p.b1))
            .reshape([f.shape[0], f.shape[1]!, -1]),
          1,
        ),
        p.W2,
      ),
      p.b2,
    ),
  );
}

/** Cosine similarity [N, N] between query and key embeddings. */
export function cosineSimilarity(a: tf.Tensor, b: tf.Tensor): number[][] {
  checkArgs('cosineSimilarity').tensor('a', a, ['N', 'E'], 'float32').tensor('b', b, ['M', 'E'], 'float32');
  return tf.tidy(() => {
    const u = (x: tf.Tensor) => tf.div(x, tf.norm(x, 'euclidean', 1, true));
    return tf.matMul(u(a), tf.transpose(u(b))).arraySync() as number[][];
  });
}

/** Fraction of rows i whose pair i is among the k most similar columns of `sim` [N][N]. */
export function topKAccuracy(sim: number[][], k: number): number {
  checkArgs('topKAccuracy')
    .require(
      Array.isArray(sim) && sim.length > 0 && sim.every((r) => r.length === sim.length),
      "argument 'sim' expected a square number[][]",
    )
    .number('k', k, { integer: true, min: 1 });
  return sim.filter((row, i) => row.filter((v) => v > row[i]).length < k).length / sim.length;
}
