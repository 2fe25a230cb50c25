/**
 * Key–value retrieval: a toy task that needs attention.
 *
 * Each example is a set of L (key, value) pairs with distinct keys and a query key drawn
 * from them; the answer is the value paired with the query. Tokens are one-hot features of
 * width E = numKeys + numValues: a pair token is [onehot(key), onehot(value)], the query
 * token is [onehot(query), 0]. A model must find the pair whose key matches the query —
 * content-based lookup, which is exactly what a query–key dot product computes.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { Rng, randn } from '../../core/random';
import { multiHeadAttentionForward, multiHeadAttentionBackward } from '../../layers/multiHeadAttention';
import { initMultiHeadAttentionParams, MultiHeadAttentionParams } from '../../layers/multiHeadAttentionParams';
import { affineForward, affineBackward } from '../../layers/affine';
import { reluForward, reluBackward } from '../../layers/relu';
import { softmaxCrossEntropy } from '../../losses/softmaxCrossEntropy';
import { trainLoop } from '../../train/trainLoop';

export type RetrievalData = {
  /** Keys [n, L] (distinct within an example). */
  keys: Int32Array[];
  /** Values [n, L]. */
  values: Int32Array[];
  /** The query key of each example [n]. */
  query: Int32Array;
  /** Where the query key sits among the pairs [n]. */
  queryPos: Int32Array;
  /** The value to answer [n]. */
  answer: Int32Array;
  numKeys: number;
  numValues: number;
  pairs: number;
};

/**
 * Generates `n` retrieval examples of `pairs` pairs each, drawn from `rng`.
 */
export function makeRetrievalData(opts: {
  n: number;
  pairs: number;
  numKeys: number;
  numValues: number;
  rng: Rng;
}): RetrievalData {
  const { n, pairs, numKeys, numValues, rng } = opts;
  checkArgs('makeRetrievalData')
    .number('n', n, { integer: true, min: 1 })
    .number('pairs', pairs, { integer: true, min: 1 })
    .number('numKeys', numKeys, { integer: true, min: pairs })
    .number('numValues', numValues, { integer: true, min: 2 })
    .require(rng instanceof Rng, "argument 'rng' expected an Rng");
  const keys: Int32Array[] = [],
    values: Int32Array[] = [];
  const query = new Int32Array(n),
    queryPos = new Int32Array(n),
    answer = new Int32Array(n);
  for (let e = 0; e < n; e++) {
    const k = Int32Array.from(rng.permutation(numKeys).slice(0, pairs));
    const v = Int32Array.from({ length: pairs }, () => rng.int(numValues));
    const pos = rng.int(pairs);
    keys.push(k);
    values.push(v);
    queryPos[e] = pos;
    query[e] = k[pos];
    answer[e] = v[pos];
  }
  return { keys, values, query, queryPos, answer, numKeys, numValues, pairs };
}

export type RetrievalBatch = {
  /** Pair tokens [N, L, E]. */
  pairs: tf.Tensor3D;
  /** Query token [N, 1, E]. */
  query: tf.Tensor3D;
  /** Answers [N] (int32). */
  answer: tf.Tensor1D;
};

/** One-hot encodes the examples at `indices` (default: all) as a {@link RetrievalBatch}. */
export function encodeRetrievalBatch(data: RetrievalData, indices?: number[]): RetrievalBatch {
  const idx = indices ?? Array.from(data.query, (_, i) => i);
  const n = data.query.length;
  checkArgs('encodeRetrievalBatch').require(
    idx.length > 0 && idx.every((i) => Number.isInteger(i) && i >= 0 && i < n),
    `indices must be integers in [0, ${n}) (got ${idx.length} indices)`,
  );
  const { pairs: L, numKeys: K, numValues: V } = data;
  const E = K + V;
  const N = idx.length;
  const pairs = new Float32Array(N * L * E);
  const query = new Float32Array(N * E);
  const answer = new Int32Array(N);
  idx.forEach((e, r) => {
    for (let j = 0; j < L; j++) {
      pairs[(r * L + j) * E + data.keys[e][j]] = 1;
      pairs[(r * L + j) * E + K + data.values[e][j]] = 1;
    }
    query[r * E + data.query[e]] = 1;
    answer[r] = data.answer[e];
  });
  return {
    pairs: tf.tensor3d(pairs, [N, L, E]),
    query: tf.tensor3d(query, [N, 1, E]),
    answer: tf.tensor1d(answer, 'int32'),
  };
}

// ---- models ----

/** Named trainable parameters of a retrieval model (updated in place by the optimizer). */
export type RetrievalParams = Record<string, tf.Variable>;

export type RetrievalModel = {
  name: string;
  params: RetrievalParams;
  /** Forward, softmax cross-entropy and the hand-written backward on one batch. */
  lossAndGrads(batch: RetrievalBatch): { loss: number; grads: Record<string, tf.Tensor> };
  /** Class scores [N, numValues] and, for attention models, the weights [N, heads, 1, L] (else null). */
  predict(batch: RetrievalBatch): { logits: tf.Tensor2D; attention: tf.Tensor4D | null };
};

function variables(tensors: Record<string, tf.Tensor>): RetrievalParams {
  const out: RetrievalParams = {};
  for (const [k, t] of Object.entries(tensors)) {
    out[k] = tf.variable(t, true, undefined);
    t.dispose();
  }
  return out;
}

/**
 * Attention model: the query token attends over the pair tokens with multi-head attention,
 * and an affine readout maps the attended vector to value scores:
 *
 *   o = MultiHead(query [N,1,E], pairs [N,L,E], pairs)   logits = o·Wc + bc   [N, numValues]
 */
export function attentionRetrievalModel(opts: {
  numKeys: number;
  numValues: number;
  heads: number;
  rng: Rng;
}): RetrievalModel {
  const { numKeys, numValues, heads, rng } = opts;
  const E = numKeys + numValues;
  checkArgs('attentionRetrievalModel')
    .number('numKeys', numKeys, { integer: true, min: 1 })
    .number('numValues', numValues, { integer: true, min: 2 })
    .number('heads', heads, { integer: true, min: 1 })
    .require(E % heads === 0, `token width E = numKeys + numValues = ${E} must be divisible by heads=${heads}`)
    .require(rng instanceof Rng, "argument 'rng' expected an Rng");
  const params = variables({
    ...initMultiHeadAttentionParams(E, rng),
    Wc: randn([E, numValues], rng, 1 / Math.sqrt(E)),
    bc: tf.zeros([numValues]),
  });
  const mhaParams = (): MultiHeadAttentionParams => {
    const { Wq, bq, Wk, bk, Wv, bv, Wo, bo } = params;
    return { Wq, bq, Wk, bk, Wv, bv, Wo, bo } as MultiHeadAttentionParams;
  };
  const forward = (batch: RetrievalBatch) => {
    const N = batch.query.shape[0];
    const att = multiHeadAttentionForward(batch.query, batch.pairs, batch.pairs, mhaParams(), { heads });
    const o = tf.reshape(att.out, [N, E]);
    att.out.dispose();
    return { N, att, o, readout: affineForward(o, params.Wc, params.bc) };
  };
  return {
    name: `attention (${heads} heads)`,
    params,
    lossAndGrads(batch) {
      const { N, att, o, readout } = forward(batch);
      const { loss, dlogits } = softmaxCrossEntropy(readout.out, batch.answer);
      const r = affineBackward(dlogits, readout.cache);
      const dout = tf.reshape(r.dx, [N, 1, E]);
      const g = multiHeadAttentionBackward(dout, att.cache);
      tf.dispose([o, readout, dlogits, r.dx, dout, att.weights, att.cache, g.dq, g.dk, g.dv]);
      const grads = {
        Wq: g.dWq,
        bq: g.dbq,
        Wk: g.dWk,
        bk: g.dbk,
        Wv: g.dWv,
        bv: g.dbv,
        Wo: g.dWo,
        bo: g.dbo,
        Wc: r.dw,
        bc: r.db,
      };
      return { loss, grads };
    },
    predict(batch) {
      const { att, o, readout } = forward(batch);
      tf.dispose([o, att.cache, readout.cache]);
      return { logits: readout.out as tf.Tensor2D, attention: att.weights };
    },
  };
}

/**
 * Baseline without attention: average the pair tokens (a bag of keys and a bag of values —
 * which value belonged to which key is lost), append the query token, and classify with a
 * one-hidden-layer ReLU network:
 *
 *   u = [mean_j pairs_j, query]  [N, 2E]     logits = relu(u·W1 + b1)·W2 + b2   [N, numValues]
 */
export function meanPoolRetrievalModel(opts: {
  numKeys: number;
  numValues: number;
  hidden: number;
  rng: Rng;
}): RetrievalModel {
  const { numKeys, numValues, hidden, rng } = opts;
  const E = numKeys + numValues;
  checkArgs('meanPoolRetrievalModel')
    .number('numKeys', numKeys, { integer: true, min: 1 })
    .number('numValues', numValues, { integer: true, min: 2 })
    .number('hidden', hidden, { integer: true, min: 1 })
    .require(rng instanceof Rng, "argument 'rng' expected an Rng");
  const params = variables({
    W1: randn([2 * E, hidden], rng, Math.sqrt(2 / (2 * E))),
    b1: tf.zeros([hidden]),
    W2: randn([hidden, numValues], rng, 1 / Math.sqrt(hidden)),
    b2: tf.zeros([numValues]),
  });
  const forward = (batch: RetrievalBatch) => {
    const N = batch.query.shape[0];
    const u = tf.tidy(() => tf.concat([tf.mean(batch.pairs, 1), tf.reshape(batch.query, [N, E])], 1));
    const l1 = affineForward(u, params.W1, params.b1);
    const act = reluForward(l1.out);
    const l2 = affineForward(act.out, params.W2, params.b2);
    return { u, l1, act, l2 };
  };
  // Frees everything of a forward pass except the logits (caches own their tensors).
  const free = (f: ReturnType<typeof forward>) => tf.dispose([f.u, f.l1, f.act, f.l2.cache]);
  return {
    name: 'mean-pool MLP (no attention)',
    params,
    lossAndGrads(batch) {
      const f = forward(batch);
      const { loss, dlogits } = softmaxCrossEntropy(f.l2.out, batch.answer);
      const g2 = affineBackward(dlogits, f.l2.cache);
      const { dx: dz1 } = reluBackward(g2.dx, f.act.cache);
      const g1 = affineBackward(dz1, f.l1.cache);
      free(f);
      tf.dispose([f.l2.out, dlogits, g2.dx, dz1, g1.dx]);
      return { loss, grads: { W1: g1.dw, b1: g1.db, W2: g2.dw, b2: g2.db } };
    },
    predict(batch) {
      const f = forward(batch);
      free(f);
      return { logits: f.l2.out as tf.Tensor2D, attention: null };
    },
  };
}

/**
 * Trains `model` on random batches of `data` with the library's training loop (Adam,
 * clipping to global norm `clipNorm`, default 5, and a NaN guard naming step and tensor).
 * Batches are drawn with replacement from `seed`, so two models trained with the same
 * options see the same examples in the same order. Returns the loss of every step.
 */
export function trainRetrievalModel(
  model: RetrievalModel,
  data: RetrievalData,
  opts: {
    steps: number;
    batchSize: number;
    lr: number;
    seed: number;
    clipNorm?: number;
    label?: string;
    onStep?: (step: number, loss: number) => void;
  },
): { losses: number[] } {
  const { steps, batchSize, lr, seed, clipNorm = 5, onStep } = opts;
  checkArgs('trainRetrievalModel')
    .number('batchSize', batchSize, { integer: true, min: 1 })
    .number('seed', seed, { integer: true });
  const rng = new Rng(seed);
  return trainLoop(
    'trainRetrievalModel',
    model.params,
    { steps, lr, clipNorm, onStep, label: opts.label, progress: opts.label !== undefined },
    () => {
      const batch = encodeRetrievalBatch(
        data,
        Array.from({ length: batchSize }, () => rng.int(data.query.length)),
      );
      try {
        return model.lossAndGrads(batch);
      } finally {
        tf.dispose(batch);
      }
    },
  );
}

/** Number of trainable scalars of a model. */
export function retrievalParameterCount(model: RetrievalModel): number {
  return Object.values(model.params).reduce((n, p) => n + p.size, 0);
}

/**
 * Accuracy on `data` with each example's outcome (`correct[i]`: 1 right, 0 wrong; for paired
 * comparisons), and for attention models how often each head's largest weight falls on the
 * pair whose key matches the query (`hitRate[head]`), plus the weights [n, heads, L].
 */
export function evaluateRetrieval(
  model: RetrievalModel,
  data: RetrievalData,
): { accuracy: number; correct: number[]; hitRate: number[] | null; attention: number[][][] | null } {
  const batch = encodeRetrievalBatch(data);
  const { logits, attention } = model.predict(batch);
  const right = tf.tidy(() => tf.cast(tf.equal(tf.argMax(logits, 1), batch.answer), 'float32'));
  const correct = Array.from(right.dataSync());
  const accuracy = correct.reduce((a, b) => a + b, 0) / data.query.length;
  let hitRate: number[] | null = null,
    weights: number[][][] | null = null;
  if (attention) {
    const squeezed = tf.squeeze(attention, [2]); // [n, heads, L]
    weights = squeezed.arraySync() as number[][][];
    tf.dispose([squeezed, attention]);
    const heads = weights[0].length;
    hitRate = Array.from(
      { length: heads },
      (_, head) =>
        weights!.filter((w, i) => w[head].indexOf(Math.max(...w[head])) === data.queryPos[i]).length /
        data.query.length,
    );
  }
  tf.dispose([batch, logits, right]);
  return { accuracy, correct, hitRate, attention: weights };
}

/**
 * Trailing moving average: element i is the mean of `xs[max(0, i − window + 1) .. i]`, so the
 * first elements average fewer values and the last one is the mean of the final `window`.
 */
export function movingAverage(xs: ArrayLike<number>, window = 20): number[] {
  checkArgs('movingAverage')
    .require(
      Array.isArray(xs) || ArrayBuffer.isView(xs),
      `argument 'xs' expected an array of numbers but got ${typeof xs}`,
    )
    .number('window', window, { integer: true, min: 1 });
  const out: number[] = [];
  let sum = 0;
  for (let i = 0; i < xs.length; i++) {
    sum += xs[i];
    if (i >= window) sum -= xs[i - window];
    out.push(sum / Math.min(i + 1, window));
  }
  return out;
}

/**
 * Mean attention mass on the matching pair: for attention weights [n, heads, L] (as returned
 * by {@link evaluateRetrieval}), the weight at `data.queryPos[i]`, averaged over heads and
 * examples. 1 means every head looks only at the match; 1/L is uniform attention.
 */
export function attentionMassOnMatch(attention: number[][][], data: RetrievalData): number {
  const n = data.query.length;
  const c = checkArgs('attentionMassOnMatch');
  const got = Array.isArray(attention) ? attention.length : typeof attention;
  c.require(
    Array.isArray(attention) && attention.length === n,
    `argument 'attention' expected ${n} examples (one per query of 'data') but got ${got}`,
  );
  c.require(
    attention.every((w) => w.length > 0 && w.every((hw) => hw.length === data.pairs)),
    `argument 'attention' expected [n, heads, ${data.pairs}] weights`,
  );
  let total = 0;
  attention.forEach((w, i) => {
    total += w.reduce((s, hw) => s + hw[data.queryPos[i]], 0) / w.length;
  });
  return total / n;
}

/**
 * Expected accuracies of answers that ignore which value belongs to which key, on `data`:
 *
 * - `uniformPresent`: guess uniformly among the distinct values present in the example
 *   (mean over examples of 1 / #distinct);
 * - `mostFrequentPresent`: answer the value that occurs most often among the pairs, ties
 *   broken uniformly. Given only the bag of keys, the bag of values (with counts) and the
 *   query — all a mean-pool model sees — every pairing is equally likely, so this is the best
 *   such a model can do;
 * - `uniformAll`: guess uniformly among all `numValues` values.
 */
export function retrievalBaselines(data: RetrievalData): {
  uniformPresent: number;
  mostFrequentPresent: number;
  uniformAll: number;
} {
  const n = data.query.length;
  checkArgs('retrievalBaselines').require(
    n > 0 && data.values.length === n,
    `argument 'data' expected values for each of its ${n} queries`,
  );
  let uniform = 0,
    mostFrequent = 0;
  for (let e = 0; e < n; e++) {
    const counts = new Map<number, number>();
    for (const v of data.values[e]) counts.set(v, (counts.get(v) ?? 0) + 1);
    const top = Math.max(...counts.values());
    const ties = [...counts.values()].filter((k) => k === top).length;
    uniform += 1 / counts.size;
    if (counts.get(data.answer[e]) === top) mostFrequent += 1 / ties;
  }
  return { uniformPresent: uniform / n, mostFrequentPresent: mostFrequent / n, uniformAll: 1 / data.numValues };
}
