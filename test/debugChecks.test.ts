/**
 * Non-finite values (issue 24, items 4 and 5): with debug checks on, the first public
 * function handed a NaN or ±Inf names itself, the argument and the element; off (the
 * default), NaN flows through as before. The listener refuses NaN features outright, and a
 * transformer block refuses an empty sequence.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { tf, Rng } from '../lib';
import { NonFiniteValueError, setDebugChecks } from '../lib/core/debugChecks';
import { affineForward } from '../lib/layers/affine';
import { gruForward } from '../lib/layers/gru';
import { lstmForward } from '../lib/layers/lstm';
import { reluForward } from '../lib/layers/relu';
import { rnnForward } from '../lib/layers/rnn';
import { initTransformerBlockParams, transformerBlockForward } from '../lib/layers/transformerBlock';
import { ctcLoss } from '../lib/losses/ctc';
import { audioMatrix } from '../lib/audio/matrix';
import { initSpeechRecognizer } from '../lib/models/listener/recognizer';
import { transcribe } from '../lib/models/listener/transcribe';

afterEach(() => setDebugChecks(null));

const N = 2,
  T = 3,
  D = 4,
  H = 5;

/** x [N, T, D] with one NaN (or the given value) at element 7. */
function poisoned(value = NaN): tf.Tensor {
  const data = new Float32Array(N * T * D).fill(0.1);
  data[7] = value;
  return tf.tensor3d(data, [N, T, D]);
}

const recurrent: [string, (x: tf.Tensor) => { h: tf.Tensor }][] = [
  ['rnnForward', (x) => rnnForward(x, tf.zeros([N, H]), tf.ones([D, H]), tf.ones([H, H]), tf.zeros([H]))],
  ['lstmForward', (x) => lstmForward(x, tf.zeros([N, H]), tf.ones([D, 4 * H]), tf.ones([H, 4 * H]), tf.zeros([4 * H]))],
  ['gruForward', (x) => gruForward(x, tf.zeros([N, H]), tf.ones([D, 3 * H]), tf.ones([H, 3 * H]), tf.zeros([3 * H]))],
];

describe('debug checks', () => {
  it('off (the default): NaN propagates silently, as it always did', () => {
    for (const [, run] of recurrent) expect(run(poisoned()).h.dataSync().some(Number.isNaN)).toBe(true);
  });

  it('on: rnn, lstm, gru, CTC and the transformer block name themselves, the argument and the element', () => {
    setDebugChecks(true);
    for (const [fn, run] of recurrent)
      expect(() => run(poisoned())).toThrow(
        new NonFiniteValueError(
          `${fn}: argument 'x' holds NaN at element 7 of shape [2, 3, 4] ` +
            '(debug checks are on: it came from the caller or the layer before)',
        ),
      );
    expect(() => ctcLoss(poisoned(Infinity), [[1], [2]], [3, 3])).toThrow(
      "ctcLoss: argument 'logits' holds Infinity at element 7",
    );
    const params = initTransformerBlockParams(D, 8, new Rng(1));
    expect(() => transformerBlockForward(poisoned(-Infinity), null, params, { heads: 2 })).toThrow(
      "transformerBlockForward: argument 'x' holds -Infinity at element 7",
    );
  });

  it('on: a layer that makes Inf from finite inputs is caught at the next layer, which names its input', () => {
    setDebugChecks(true);
    const { out } = affineForward(tf.fill([1, 2], 1e30), tf.fill([2, 3], 1e30), tf.zeros([3]));
    expect(() => reluForward(out)).toThrow("reluForward: argument 'x' holds Infinity at element 0");
  });

  it('the environment variable turns them on; setDebugChecks(false) overrides it', () => {
    const saved = process.env.BACKPROP_DEBUG_CHECKS;
    process.env.BACKPROP_DEBUG_CHECKS = '1';
    try {
      expect(() => recurrent[0][1](poisoned())).toThrow(NonFiniteValueError);
      setDebugChecks(false);
      expect(() => recurrent[0][1](poisoned())).not.toThrow();
    } finally {
      if (saved === undefined) delete process.env.BACKPROP_DEBUG_CHECKS;
      else process.env.BACKPROP_DEBUG_CHECKS = saved;
    }
    expect(() => setDebugChecks('yes' as unknown as boolean)).toThrow(
      "setDebugChecks: argument 'on' expected true, false or null but got yes",
    );
  });
});

describe('always on', () => {
  it('the listener refuses NaN features instead of transcribing them to ""', () => {
    const config = { featureDim: 40, vocabSize: 29, hidden: 8, convChannels: 8 };
    const listener = {
      params: initSpeechRecognizer(config, 1),
      manifest: { config, alphabet: Array.from({ length: 29 }, (_, i) => String.fromCharCode(96 + i)) },
    };
    const data = new Float32Array(10 * 40);
    data[83] = NaN;
    expect(() => transcribe(listener, [audioMatrix(data, 10, 40)])).toThrow(
      'transcribe: features[0] holds NaN at element 83 (row 2)',
    );
    tf.dispose(Object.values(listener.params));
  });

  it('a transformer block refuses an empty sequence (T = 0: NaN gradients) or batch (N = 0: a wasm trap)', () => {
    const params = initTransformerBlockParams(D, 8, new Rng(1));
    expect(() => transformerBlockForward(tf.zeros([0, T, D]), null, params, { heads: 2 })).toThrow(
      "transformerBlockForward: argument 'x' has an empty dimension N = 0 in shape [0, 3, 4]; expected at least 1",
    );
    expect(() => transformerBlockForward(tf.zeros([N, 0, D]), null, params, { heads: 2 })).toThrow(
      "transformerBlockForward: argument 'x' has an empty dimension Lq = 0 in shape [2, 0, 4]; expected at least 1",
    );
  });
});
