/**
 * The three trainers of notebook 09 (NoteVAE, latent flow, gesture–sound embedding) run on the
 * library's one training loop: a non-finite loss stops training with a NonFiniteError naming the
 * step, and the run leaves no tensors behind (its variables and optimizer state are freed).
 */
import { describe, expect, it } from 'vitest';
import { tf, NonFiniteError } from '../lib';
import { trainLatentFlow } from '../lib/models/latent/flow';
import { trainGestureSound } from '../lib/models/latent/gestureSound';
import { trainNoteVae } from '../lib/models/latent/noteVae';

/** x [N, D] (or [N, T, F]) of seeded normals with one NaN in row `row`. */
function withNaN(shape: number[], row: number): tf.Tensor {
  return tf.tidy(() => {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 7);
    const values = x.dataSync().slice();
    values[row * (values.length / shape[0])] = NaN;
    return tf.tensor(values, shape);
  });
}

function expectStopsWithoutLeak(train: () => unknown): void {
  const before = tf.memory().numTensors;
  expect(train).toThrow(NonFiniteError);
  expect(() => train()).toThrow(/step 1\b/);
  expect(tf.memory().numTensors).toBe(before);
}

describe('latent-control trainers stop on a non-finite loss', () => {
  it('trainNoteVae', () => {
    const x = withNaN([8, 6], 0);
    expectStopsWithoutLeak(() =>
      trainNoteVae(x, null, {
        hidden: 4,
        latent: 2,
        steps: 3,
        batchSize: 8,
        lr: 1e-3,
        seed: 1,
        beta: 1,
        gamma: 0,
        delta: 1,
      }),
    );
    x.dispose();
  });

  it('trainLatentFlow', () => {
    const x = withNaN([8, 4], 3);
    expectStopsWithoutLeak(() =>
      trainLatentFlow(x, { layers: 2, hidden: 4, steps: 3, batchSize: 8, lr: 1e-3, seed: 1 }),
    );
    x.dispose();
  });

  it('trainGestureSound', () => {
    const g = withNaN([8, 4, 3], 5),
      s = tf.randomNormal([8, 4, 2], 0, 1, 'float32', 8);
    expectStopsWithoutLeak(() =>
      trainGestureSound(g, s, { hidden: 4, embed: 3, steps: 3, batchSize: 8, lr: 1e-3, seed: 1 }),
    );
    tf.dispose([g, s]);
  });
});
