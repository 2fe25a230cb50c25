import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import * as path from 'node:path';
import * as bp from '../lib';
import { tf, Rng, randn, checkArgs, ShapeError, backendReport, bySize } from '../lib';

const root = path.resolve(__dirname, '..');

/** Runs the built library's backend selection in a fresh Node process with `env`. */
function selectIn(env: Record<string, string>): string {
  const script =
    "require('./dist/lib').initBackend().then(r => process.stdout.write('\\nREPORT ' + JSON.stringify(r)))";
  const out = execFileSync(process.execPath, ['-e', script], {
    cwd: root,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return out.slice(out.indexOf('REPORT ') + 7);
}

describe('backend selection', () => {
  it('prefers tensorflow when @tensorflow/tfjs-node loads, else falls back to wasm and says why', () => {
    const r = JSON.parse(selectIn({ BACKPROP_BACKEND: '' }));
    // Whether tfjs-node loads here, asked of a fresh process (an install whose native binary
    // could not be downloaded resolves but fails to load).
    let nativeLoads = true;
    try {
      execFileSync(process.execPath, ['-e', "require('@tensorflow/tfjs-node')"], { cwd: root, stdio: 'ignore' });
    } catch {
      nativeLoads = false;
    }
    if (nativeLoads) {
      expect(r.name).toBe('tensorflow');
    } else {
      expect(r.name).toBe('wasm');
      expect(r.skipped.tensorflow).toMatch(/not installed|failed to load/);
      expect(r.details).toMatch(/SIMD/);
    }
  });
  it('honours BACKPROP_BACKEND=cpu', () => {
    const r = JSON.parse(selectIn({ BACKPROP_BACKEND: 'cpu' }));
    expect(r.name).toBe('cpu');
    expect(r.forced).toBe(true);
  });
  it('rejects an unknown BACKPROP_BACKEND with a clear error', () => {
    expect(() => selectIn({ BACKPROP_BACKEND: 'gpu' })).toThrow(/BACKPROP_BACKEND must be one of/);
  });
  it('reports the active backend in-process', () => {
    expect(backendReport()?.name).toBe(tf.getBackend());
  });
});

describe('seeded randomness', () => {
  it('gives the same stream for the same seed and a different one otherwise', () => {
    const a = new Rng(7),
      b = new Rng(7),
      c = new Rng(8);
    const xs = [a.uniform(), a.uniform(), a.normal()];
    expect([b.uniform(), b.uniform(), b.normal()]).toEqual(xs);
    expect(c.uniform()).not.toBe(xs[0]);
  });
  it('continues the exact stream from a saved state, including a cached normal, and names a bad state', () => {
    const a = new Rng(3);
    a.normal(); // leaves Box–Muller's second draw cached
    const saved = JSON.parse(JSON.stringify(a.getState()));
    const b = Rng.fromState(saved);
    expect([b.normal(), b.uniform(), b.int(1000)]).toEqual([a.normal(), a.uniform(), a.int(1000)]);
    expect(() => Rng.fromState({ seed: 3, words: [1, 2, 3], spare: null })).toThrow(
      /Rng.fromState: argument 'state' expected \{ seed, words: four 32-bit integers, spare \}/,
    );
  });
  it('draws normals with the right moments', () => {
    const t = randn([20000], new Rng(1), 2);
    const { mean, variance } = tf.moments(t);
    expect(Math.abs(mean.dataSync()[0])).toBeLessThan(0.05);
    expect(Math.sqrt(variance.dataSync()[0])).toBeCloseTo(2, 1);
    tf.dispose([t, mean, variance]);
  });
});

describe('Rng snapshots', () => {
  it('a restored generator continues the stream exactly, cached normal included; a bad snapshot is named', () => {
    const rng = new Rng(11);
    rng.normal(); // leaves the second Box–Muller draw cached
    const saved = JSON.parse(JSON.stringify(rng.snapshot()));
    const next = [rng.normal(), rng.uniform(), rng.int(1000)];
    const other = new Rng(99);
    other.restore(saved);
    expect([other.normal(), other.uniform(), other.int(1000)]).toEqual(next);
    expect(() => other.restore({ ...saved, a: -1 })).toThrow("Rng.restore: argument 's' expected an Rng snapshot");
  });
});

describe('argument checks', () => {
  it('names function, argument, expected and actual shape', () => {
    const x = tf.zeros([4, 3]);
    const h = tf.zeros([3, 5]);
    expect(() => checkArgs('rnnStepForward').tensor('x', x, ['N', 'D']).tensor('prevH', h, ['N', 'H'])).toThrow(
      "rnnStepForward: argument 'prevH' expected shape [N=4, H] but got [3, 5]",
    );
    expect(() => checkArgs('f').tensor('y', x, ['N', 'T'], 'int32')).toThrow(ShapeError);
    expect(() => checkArgs('f').tensor('y', x, ['N', 'T'], 'int32')).toThrow(/expected dtype int32 but got float32/);
    tf.dispose([x, h]);
  });

  it('refuses an empty named dimension (N = 0 or T = 0) at the public function, before any kernel', () => {
    const empty = tf.zeros([2, 0, 4]);
    expect(() => bp.rnnForward(empty, tf.zeros([2, 5]), tf.zeros([4, 5]), tf.zeros([5, 5]), tf.zeros([5]))).toThrow(
      "rnnForward: argument 'x' has an empty dimension T = 0 in shape [2, 0, 4]; expected at least 1",
    );
    const noBatch = tf.zeros([0, 3, 4]);
    expect(() =>
      bp.lstmForward(noBatch, tf.zeros([0, 5]), tf.zeros([4, 20]), tf.zeros([5, 20]), tf.zeros([20])),
    ).toThrow(/lstmForward: argument 'x' has an empty dimension N = 0/);
    const none = tf.zeros([0]);
    expect(() => checkArgs('f').tensor('fixed', none, [0])).not.toThrow(); // a literal 0 is a request
    tf.dispose([empty, noBatch, none]);
  });
});

describe('quick mode', () => {
  it('picks sizes from BACKPROP_QUICK', () => {
    const before = process.env.BACKPROP_QUICK;
    process.env.BACKPROP_QUICK = '1';
    expect(bySize({ quick: 1, full: 2 })).toBe(1);
    process.env.BACKPROP_QUICK = '';
    expect(bySize({ quick: 1, full: 2 })).toBe(2);
    process.env.BACKPROP_QUICK = before;
  });
});
