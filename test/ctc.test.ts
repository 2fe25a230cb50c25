/**
 * CTC loss and gradient: against tfjs autodiff of the forward recursion written with tfjs ops
 * (tight), a float64 numeric gradient of a plain probability-space reference (loose), and
 * brute-force enumeration of every path (exact); special cases; decoders; edit distance.
 */
import { describe, expect, it } from 'vitest';
import {
  tf,
  Rng,
  ctcLoss,
  ctcLossBackward,
  ctcAlphaBeta,
  ctcOccupancy,
  ctcMinFrames,
  ctcGreedyDecode,
  ctcCollapse,
  ctcPrefixBeamSearch,
  fitLabelNgram,
} from '../lib';
import { alignEdits, characterErrorRate, errorRate, errorRateByGroup } from '../lib/metrics/editDistance';
import { expectGradsMatch, expectNoLeak, f64, randF64, relError, toTensor } from './helpers';
import { bruteForceCtc, ctcLossRef, softmaxRef } from './ref/ctc';

const NEG = -1e30;

/** The α recursion in log space with tfjs ops (differentiable), one sequence at a time → loss [N]. */
const tfCtc =
  (labels: number[][], inputLengths: number[], blank = 0) =>
  (logits: tf.Tensor): tf.Tensor => {
    const [, , C] = logits.shape;
    const lp = tf.logSoftmax(logits, 2);
    return tf.stack(
      labels.map((label, n) => {
        const Tn = inputLengths[n];
        const ext = [blank, ...label.flatMap((k) => [k, blank])];
        const S = ext.length;
        const select = tf.transpose(tf.oneHot(tf.tensor1d(ext, 'int32'), C).toFloat()); // [C, S]
        const E = tf.matMul(tf.reshape(tf.slice(lp, [n, 0, 0], [1, Tn, C]), [Tn, C]), select); // [Tn, S]
        const row = (t: number): tf.Tensor => tf.reshape(tf.slice(E, [t, 0], [1, S]), [S]);
        const skip = tf.tensor1d(ext.map((k, s) => (s >= 2 && k !== blank && k !== ext[s - 2] ? 0 : NEG)));
        let alpha = tf.add(row(0), tf.tensor1d(ext.map((_, s) => (s < 2 ? 0 : NEG))));
        for (let t = 1; t < Tn; t++) {
          const terms = [alpha, tf.concat([tf.tensor1d([NEG]), tf.slice(alpha, 0, S - 1)])];
          if (S > 2) terms.push(tf.add(tf.concat([tf.tensor1d([NEG, NEG]), tf.slice(alpha, 0, S - 2)]), skip));
          alpha = tf.add(tf.logSumExp(tf.stack(terms), 0), row(t));
        }
        return tf.neg(tf.logSumExp(tf.slice(alpha, Math.max(S - 2, 0))));
      }),
    );
  };

const cases = [
  { name: 'one sequence, distinct labels', T: 6, C: 4, labels: [[1, 2, 3]], lengths: [6] },
  { name: 'repeated labels', T: 7, C: 3, labels: [[1, 1, 2, 2]], lengths: [7] },
  {
    name: 'unequal lengths and label lengths, empty label',
    T: 8,
    C: 5,
    labels: [[2, 4, 2], [1], [], [3, 3]],
    lengths: [8, 5, 3, 4],
  },
  { name: 'T exactly the minimum (repeats need a blank)', T: 6, C: 3, labels: [[1, 1, 2, 2]], lengths: [6] },
];

describe('ctcLoss / ctcLossBackward', () => {
  for (const { name, T, C, labels, lengths } of cases) {
    it(`${name}: loss vs float64 reference, gradient vs autodiff and float64 numeric`, () => {
      const rng = new Rng(T * 10 + C);
      const N = labels.length;
      const z = randF64([N, T, C], rng, 1.5),
        dloss = randF64([N], rng);
      const zt = toTensor(z);
      const { loss, cache } = ctcLoss(zt, labels, lengths);
      expect(relError(loss, ctcLossRef(z, labels, lengths))).toBeLessThan(1e-6);
      const dlossT = toTensor(dloss);
      const { dlogits } = ctcLossBackward(dlossT, cache);
      expectGradsMatch(
        { dlogits },
        ['dlogits'],
        [z],
        tfCtc(labels, lengths),
        () => ctcLossRef(z, labels, lengths),
        dloss,
      );
      tf.dispose([zt, loss, dlossT, dlogits]);
    });
  }

  it('equals brute-force enumeration of all C^T paths: likelihood and occupancy γ = softmax − gradient', () => {
    const rng = new Rng(7);
    for (const [T, C, label] of [
      [4, 3, [1, 2]],
      [5, 3, [2, 2]],
      [5, 4, [1, 3, 1]],
      [3, 2, []],
    ] as [number, number, number[]][]) {
      const z = randF64([1, T, C], rng, 1.2);
      const y = softmaxRef(z)[0];
      const brute = bruteForceCtc(y, label, 0);
      const zt = toTensor(z),
        one = tf.ones([1]);
      const { loss, cache } = ctcLoss(zt, [label], [T]);
      expect(Math.abs(loss.dataSync()[0] + Math.log(brute.p))).toBeLessThan(1e-6);
      const g = ctcLossBackward(one, cache).dlogits.dataSync();
      const gammaFromGrad = y.flatMap((row, t) => row.map((v, k) => v - g[t * C + k]));
      expect(relError(gammaFromGrad, brute.gamma.flat())).toBeLessThan(1e-6);
      // Occupancy per lattice state sums to 1 at every frame.
      const lat = ctcAlphaBeta(y.flat().map(Math.log), T, C, label);
      const occ = ctcOccupancy(lat);
      for (let t = 0; t < T; t++)
        expect(occ.slice(t * lat.S, (t + 1) * lat.S).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 10);
      tf.dispose([zt, one, loss]);
    }
  });

  it('impossible alignments: loss +Infinity, gradient exactly zero for that sequence, never NaN', () => {
    const z = tf.randomNormal([3, 4, 3], 0, 1, 'float32', 3);
    // [1,1,2,2] needs 6 frames; [1,2,1,2,1] needs 5; [2] fits in 1.
    expect(ctcMinFrames([1, 1, 2, 2])).toBe(6);
    const { loss, cache } = ctcLoss(z, [[1, 1, 2, 2], [1, 2, 1, 2, 1], [2]], [4, 4, 1]);
    const l = Array.from(loss.dataSync());
    expect(l[0]).toBe(Infinity);
    expect(l[1]).toBe(Infinity);
    expect(Number.isFinite(l[2])).toBe(true);
    const dloss = tf.tensor1d([1, NaN, 1]); // even a NaN upstream gradient leaves an impossible sequence at 0
    const g = ctcLossBackward(dloss, cache).dlogits;
    const v = g.dataSync();
    expect(v.slice(0, 24).every((x) => x === 0)).toBe(true);
    expect(v.some((x) => Number.isNaN(x))).toBe(false);
    expect(v.slice(24, 27).some((x) => x !== 0)).toBe(true); // frame 0 of sequence 2
    expect(v.slice(27).every((x) => x === 0)).toBe(true); // its padded frames
    tf.dispose([z, loss, dloss, g]);
  });

  it('padded frames change neither the loss nor get any gradient; blank need not be 0', () => {
    const rng = new Rng(11);
    const z = randF64([1, 6, 4], rng);
    const zPadded = f64([1, 9, 4]);
    zPadded.data.set(z.data);
    for (let i = z.data.length; i < zPadded.data.length; i++) zPadded.data[i] = 50 * rng.normal();
    const a = ctcLoss(toTensor(z), [[0, 1]], [6], 3),
      b = ctcLoss(toTensor(zPadded), [[0, 1]], [6], 3);
    expect(Math.abs(a.loss.dataSync()[0] - b.loss.dataSync()[0])).toBeLessThan(1e-6);
    expect(Math.abs(a.loss.dataSync()[0] - ctcLossRef(z, [[0, 1]], [6], 3).data[0])).toBeLessThan(1e-5);
    const g = ctcLossBackward(tf.ones([1]), b.cache).dlogits.dataSync();
    expect(g.slice(24).every((x) => x === 0)).toBe(true);
  });

  it('is stable for long sequences and confident logits (log space)', () => {
    const T = 400,
      C = 6,
      rng = new Rng(5);
    const label = Array.from({ length: 120 }, () => 1 + rng.int(C - 1));
    const z = tf.mul(tf.randomNormal([1, T, C], 0, 1, 'float32', 9), 30);
    const { loss, cache } = ctcLoss(z, [label], [T]);
    const g = ctcLossBackward(tf.ones([1]), cache).dlogits;
    expect(Number.isFinite(loss.dataSync()[0])).toBe(true);
    expect(g.dataSync().every((x) => Number.isFinite(x))).toBe(true);
    // Each frame's gradient sums to 0 (softmax and occupancy both sum to 1).
    const rowSums = tf.sum(g, 2).dataSync();
    expect(Math.max(...Array.from(rowSums, Math.abs))).toBeLessThan(1e-5);
    tf.dispose([z, loss, g]);
  });

  it('keeps extreme logits exact: two tied logits of 1e17 are two halves, loss ln 2, never 0 or negative', () => {
    const z = tf.tensor3d([[[1e17, 1e17, -1e17]]]); // blank, 'a', 'b' at one frame; the label is 'a'
    const { loss, cache } = ctcLoss(z, [[1]], [1]);
    expect(loss.dataSync()[0]).toBeCloseTo(Math.LN2, 6);
    const g = ctcLossBackward(tf.ones([1]), cache).dlogits.dataSync();
    expect(Array.from(g).map((x) => Number(x.toFixed(6)))).toEqual([0.5, -0.5, 0]);
    tf.dispose([z, loss, cache as unknown as tf.TensorContainer]);
  });

  it('names bad arguments and leaks nothing', () => {
    const z = tf.zeros([2, 4, 3]);
    expect(() => ctcLoss(tf.zeros([4, 3]), [[1]], [4])).toThrow(
      "ctcLoss: argument 'logits' expected shape [N, T, C] but got [4, 3]",
    );
    expect(() => ctcLoss(z, [[1]], [4, 4])).toThrow("ctcLoss: argument 'labels' expected N=2 sequences but got 1");
    expect(() => ctcLoss(z, [[1], [2]], [4, 5])).toThrow(
      "ctcLoss: argument 'inputLengths' expected integers in [1, T=4] but element 1 is 5",
    );
    expect(() => ctcLoss(z, [[1], [0]], [4, 4])).toThrow(
      "ctcLoss: argument 'labels[1]' expected labels in [0, 3) other than the blank 0 but element 0 is 0",
    );
    expect(() => ctcLoss(z, [[1], [3]], [4, 4])).toThrow('labels in [0, 3) other than the blank 0 but element 0 is 3');
    const { loss, cache } = ctcLoss(z, [[1], [2]], [4, 4]);
    expect(() => ctcLossBackward(tf.ones([3]), cache)).toThrow(
      "ctcLossBackward: argument 'dloss' expected shape [2] but got [3]",
    );
    expect(() => ctcLossBackward(tf.ones([2]), {} as never)).toThrow(
      "ctcLossBackward: argument 'cache' expected the cache returned by ctcLoss",
    );
    const dl = tf.ones([2]);
    expectNoLeak(() => {
      const r = ctcLoss(z, [[1], [2]], [4, 3]);
      return [r.loss, ctcLossBackward(dl, r.cache).dlogits];
    }, 'ctcLoss + ctcLossBackward');
    tf.dispose([z, loss, dl]);
  });
});

describe('CTC decoding', () => {
  it('collapse merges repeats then drops blanks', () => {
    expect(ctcCollapse([1, 1, 0, 1, 2, 2, 0, 0])).toEqual([1, 1, 2]);
    expect(ctcCollapse([0, 0, 0])).toEqual([]);
    expect(ctcCollapse([3, 3, 1], 3)).toEqual([1]);
  });

  it('greedy takes the best path per sequence within its length', () => {
    const p = tf.tensor3d([
      [
        [0.1, 0.8, 0.1],
        [0.1, 0.8, 0.1],
        [0.9, 0.05, 0.05],
        [0.1, 0.8, 0.1],
        [0.1, 0.1, 0.8],
      ],
      [
        [0.1, 0.1, 0.8],
        [0.9, 0.05, 0.05],
        [0.1, 0.8, 0.1],
        [0.1, 0.8, 0.1],
        [0.1, 0.8, 0.1],
      ],
    ]);
    expect(ctcGreedyDecode(p, [5, 2])).toEqual([[1, 1, 2], [2]]);
    p.dispose();
  });

  it('prefix beam search finds the most likely labelling where greedy finds the most likely path', () => {
    // Both frames: blank 0.6, a 0.4. Best path ∅∅ → "" (0.36); but p("a") = 0.16 + 0.24 + 0.24 = 0.64.
    const logits = tf.log(
      tf.tensor3d([
        [
          [0.6, 0.4],
          [0.6, 0.4],
        ],
      ]),
    );
    expect(ctcGreedyDecode(logits, [2])).toEqual([[]]);
    expect(ctcPrefixBeamSearch(logits, [2], { beamWidth: 4 })).toEqual([[1]]);
    logits.dispose();
  });

  it('prefix beam search with a wide beam equals the brute-force best labelling', () => {
    const rng = new Rng(21);
    for (let trial = 0; trial < 5; trial++) {
      const z = randF64([1, 5, 3], rng, 1.5);
      const brute = bruteForceCtc(softmaxRef(z)[0], [], 0).byLabelling;
      const best = [...brute.entries()].sort((a, b) => b[1] - a[1])[0][0];
      const zt = toTensor(z);
      expect(ctcPrefixBeamSearch(zt, [5], { beamWidth: 64 })[0].join(',')).toBe(best);
      zt.dispose();
    }
  });

  it('names bad arguments', () => {
    expect(() => ctcGreedyDecode(tf.zeros([1, 3, 2]), [4])).toThrow(
      "ctcGreedyDecode: argument 'inputLengths' expected integers in [1, T=3] but element 0 is 4",
    );
    expect(() => ctcPrefixBeamSearch(tf.zeros([1, 3, 2]), [3], { beamWidth: 0 })).toThrow('ctcPrefixBeamSearch');
  });
});

describe('label n-gram language model and shallow fusion', () => {
  it('matches interpolated absolute discounting worked by hand', () => {
    // "ab" = [1, 2] over V = 3 (0 the boundary): every unigram once, so P(w) = 1/3 for each w;
    // after 1 only 2 was seen: P(2 | 1) = (1 − ¾)/1 + ¾ · 1/1 · ⅓ = ½, P(1 | 1) = P(0 | 1) = ¼.
    const lm = fitLabelNgram([[1, 2]], { order: 2, vocabSize: 3 });
    const after1 = [...lm.nextLogProbs([1])].map(Math.exp);
    expect(after1[2]).toBeCloseTo(0.5, 12);
    expect(after1[1]).toBeCloseTo(0.25, 12);
    expect(after1[0]).toBeCloseTo(0.25, 12);
    // the start of a sentence is the history [0]: only 1 followed it
    expect(Math.exp(lm.nextLogProbs([])[1])).toBeCloseTo(0.5, 12);
  });

  it('gives a distribution after every history, seen or not', () => {
    const rng = new Rng(4);
    const text = Array.from({ length: 30 }, () => Array.from({ length: 1 + rng.int(8) }, () => 1 + rng.int(5)));
    const lm = fitLabelNgram(text, { order: 4, vocabSize: 6, discount: 0.5 });
    for (const h of [[], [1], [5, 5, 5, 5, 5], [2, 3, 1]]) {
      const p = [...lm.nextLogProbs(h)].map(Math.exp);
      expect(p.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 12);
      expect(Math.min(...p)).toBeGreaterThan(0);
    }
  });

  it('lets the text decide where the acoustics cannot', () => {
    // one frame, labels 1 and 2 almost equally likely; the text only ever has label 1
    const logits = tf.log(tf.tensor3d([[[0.02, 0.48, 0.5]]]));
    const lm = fitLabelNgram([[1], [1, 1]], { order: 2, vocabSize: 3 });
    expect(ctcPrefixBeamSearch(logits, [1], { beamWidth: 4 })).toEqual([[2]]);
    expect(
      ctcPrefixBeamSearch(logits, [1], { beamWidth: 4, languageModel: { model: lm, weight: 1, lengthBonus: 0 } }),
    ).toEqual([[1]]);
    // a label below the pruning threshold is never tried
    expect(ctcPrefixBeamSearch(logits, [1], { beamWidth: 4, pruneBelow: Math.log(0.49) })).toEqual([[2]]);
    expect(ctcPrefixBeamSearch(logits, [1], { beamWidth: 4, pruneBelow: Math.log(0.6) })).toEqual([[]]);
    // weight 0: the acoustics alone again
    expect(
      ctcPrefixBeamSearch(logits, [1], { beamWidth: 4, languageModel: { model: lm, weight: 0, lengthBonus: 0 } }),
    ).toEqual([[2]]);
    logits.dispose();
  });

  it('names bad arguments', () => {
    expect(() => fitLabelNgram([[1, 3]], { order: 2, vocabSize: 3 })).toThrow(
      "fitLabelNgram: argument 'sequences' expected labels in [1, 3) but sequence 0 holds 3 at 1",
    );
    const lm = fitLabelNgram([[1]], { order: 2, vocabSize: 3 });
    expect(() => lm.nextLogProbs([7])).toThrow("nextLogProbs: argument 'history' expected labels in [0, 3)");
    const z = tf.zeros([1, 2, 4]);
    expect(() => ctcPrefixBeamSearch(z, [2], { languageModel: { model: lm, weight: 1, lengthBonus: 0 } })).toThrow(
      "ctcPrefixBeamSearch: argument 'languageModel' expected a model over the C=4 labels",
    );
    z.dispose();
  });
});

describe('edit distance', () => {
  it('kitten → sitting: 2 substitutions, 1 insertion, worked by hand', () => {
    const a = alignEdits('kitten', 'sitting');
    expect([a.substitutions, a.insertions, a.deletions, a.distance, a.matches]).toEqual([2, 1, 0, 3, 4]);
    expect(a.steps.map((s) => s.op[0]).join('')).toBe('smmmsmi');
  });

  it('reports deletions (skips) and insertions (repeats) separately', () => {
    expect(alignEdits('seven', 'sevn')).toMatchObject({ deletions: 1, insertions: 0, substitutions: 0 });
    expect(alignEdits('ab', 'abab')).toMatchObject({ deletions: 0, insertions: 2, substitutions: 0 });
    expect(alignEdits('', 'ab')).toMatchObject({ insertions: 2, distance: 2 });
    expect(alignEdits('ab', '')).toMatchObject({ deletions: 2, distance: 2 });
    expect(alignEdits([1, 2, 3], [1, 3])).toMatchObject({ deletions: 1, distance: 1 });
  });

  it('CER over a corpus is total edits over total reference characters', () => {
    // abc→abd: 1 substitution; de→dee: 1 insertion; 2 edits / 5 characters.
    expect(characterErrorRate(['abc', 'de'], ['abd', 'dee'])).toEqual({
      rate: 0.4,
      substitutions: 1,
      deletions: 0,
      insertions: 1,
      refLength: 5,
    });
    expect(errorRate([[1, 2]], [[1, 2]]).rate).toBe(0);
    expect(() => characterErrorRate(['a'], [])).toThrow(
      "errorRate: arguments 'refs' and 'hyps' expected arrays of the same length but got 1 and 0",
    );
  });

  it('error rates per group', () => {
    const rows = errorRateByGroup(['abc', 'de', 'xy'], ['abd', 'de', ''], ['g1', 'g2', 'g1']);
    expect(rows.map((r) => [r.group, r.count, r.rate, r.deletions])).toEqual([
      ['g1', 2, 3 / 5, 2],
      ['g2', 1, 0, 0],
    ]);
    expect(() => errorRateByGroup(['a'], ['a'], [])).toThrow(
      "errorRateByGroup: argument 'groups' expected one group per reference (1) but got 0",
    );
  });
});
