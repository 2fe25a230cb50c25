/** Loading a shipped checkpoint (or initialising its model) leaves no tensor behind but the model's own. */
import { describe, expect, it } from 'vitest';
import { tf } from '../lib';
import { shippedCheckpointDir } from '../lib/data/shippedWeights';
import { loadListener } from '../lib/models/listener/checkpoint';
import { initSpeechRecognizer } from '../lib/models/listener/recognizer';
import { loadMultimodalCheckpoint } from '../lib/models/multimodal/checkpoint';
import { loadTacotron } from '../lib/models/tacotron2/checkpoint';
import { disposeTacotron2, initTacotron2, TACOTRON_CONFIG } from '../lib/models/tacotron2/config';

const cases: [string, () => () => void][] = [
  [
    'the listener',
    () => {
      const l = loadListener();
      return () => tf.dispose(Object.values(l.params));
    },
  ],
  [
    'the listener, initialised',
    () => {
      const p = initSpeechRecognizer({ featureDim: 40, vocabSize: 29, lstmLayers: 2 }, 1);
      return () => tf.dispose(Object.values(p));
    },
  ],
  [
    'the Tacotron teacher',
    () => {
      const t = loadTacotron();
      return () => disposeTacotron2(t.model);
    },
  ],
  [
    'Tacotron, initialised',
    () => {
      const m = initTacotron2(TACOTRON_CONFIG, 1);
      return () => disposeTacotron2(m);
    },
  ],
  [
    'a multimodal pre-training',
    () => {
      const m = loadMultimodalCheckpoint(shippedCheckpointDir('multimodal-asr'));
      return () => tf.dispose(Object.values(m.params));
    },
  ],
];

describe('checkpoints and initialisation leave no tensors behind', () => {
  it.each(cases)('%s, ten times', (_, load) => {
    load()();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 10; i++) load()();
    expect(tf.memory().numTensors).toBe(before);
  });
});
