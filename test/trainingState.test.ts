import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { tf, trainLoop, type StepResult } from '../lib';
import { adam } from '../lib/optim/adam';
import { loadTrainingState, saveTrainingState, stepRng } from '../lib/train/trainingState';

/** A tiny least-squares fit whose every batch is drawn from (seed, step): y = x·w + noise. */
function tinyRun(dir: string | undefined, opts: { failAt?: number; everyMinutes?: number; log?: string[] } = {}) {
  const params = tf.tidy(() => ({ w: tf.variable(tf.zeros([3, 1])), b: tf.variable(tf.zeros([1])) }));
  const trueW = tf.tensor2d([[1], [-2], [0.5]]);
  const log = opts.log ?? [];
  const step = (s: number): StepResult => {
    if (s === opts.failAt) throw new Error(`stopped at step ${s}`);
    const rng = stepRng(7, s);
    const x = tf.tensor2d(
      Array.from({ length: 24 }, () => rng.normal()),
      [8, 3],
    );
    const { value, grads } = tf.variableGrads(() => {
      const err = tf.sub(tf.add(tf.matMul(x, params.w), params.b), tf.matMul(x, trueW));
      return tf.mean(tf.square(err)) as tf.Scalar;
    });
    const loss = value.dataSync()[0];
    tf.dispose([x, value]);
    log.push(`step ${s}`);
    return { loss, grads: { w: grads[params.w.name], b: grads[params.b.name] } };
  };
  const lr = (s: number): number => 0.05 * 0.97 ** s;
  const state =
    dir === undefined
      ? undefined
      : {
          dir,
          everyMinutes: opts.everyMinutes ?? 0,
          record: () => ({ log }),
          restore: (r: unknown) => log.splice(0, log.length, ...(r as { log: string[] }).log),
        };
  let error: Error | null = null;
  try {
    trainLoop('tinyRun', params, { steps: 20, lr, clipNorm: 1, progress: false, state }, step);
  } catch (e) {
    error = e as Error;
  }
  const out = { w: Array.from(params.w.dataSync()), b: Array.from(params.b.dataSync()), log, error };
  tf.dispose([params.w, params.b, trueW]);
  return out;
}

describe('resumable training', () => {
  it('a run stopped and resumed ends with the same weights, bit for bit, as an uninterrupted one', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'state-')), 'run');
    const straight = tinyRun(undefined);
    const before = tf.memory().numTensors;
    const first = tinyRun(dir, { failAt: 12 });
    expect(first.error?.message).toBe('stopped at step 12');
    expect(JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')).step).toBe(11);
    const resumed = tinyRun(dir);
    expect(resumed.error).toBeNull();
    expect(resumed.w).toEqual(straight.w);
    expect(resumed.b).toEqual(straight.b);
    expect(resumed.log).toEqual(straight.log); // the record came back, steps 12…20 appended
    expect(fs.existsSync(`${dir}.tmp`)).toBe(false);
    expect(tf.memory().numTensors).toBe(before);
  });

  it('continues a finished run without a step, and the same (seed, step) draws the same numbers', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'state-')), 'run');
    const done = tinyRun(dir);
    const again = tinyRun(dir);
    expect(done.error).toBeNull();
    expect(again.error).toBeNull();
    expect(again.w).toEqual(done.w);
    expect(again.log).toEqual(done.log);
    expect(stepRng(3, 5).uniform()).toBe(stepRng(3, 5).uniform());
    expect(stepRng(3, 5).uniform()).not.toBe(stepRng(3, 6).uniform());
    expect(() => stepRng(3, -1)).toThrow("stepRng: argument 'step'");
  });

  it('a state for another model fails naming the tensor', () => {
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'state-')), 'run');
    const p = { w: tf.variable(tf.ones([2, 2])) };
    const opt = adam({ lr: 0.1 });
    saveTrainingState(dir, p, opt, 3, { note: 'x' });
    const q = { w: tf.variable(tf.zeros([3, 2])) };
    expect(() => loadTrainingState(dir, q, opt)).toThrow(`'param:w' has shape [2,2] but the model's is [3,2]`);
    const r = { v: tf.variable(tf.zeros([2, 2])) };
    expect(() => loadTrainingState(dir, r, opt)).toThrow(`has no tensor 'param:v'`);
    const restored = loadTrainingState<{ note: string }>(dir, p, opt);
    expect(restored).toEqual({ step: 3, record: { note: 'x' } });
    opt.dispose();
    tf.dispose([p.w, q.w, r.v]);
  });
});
