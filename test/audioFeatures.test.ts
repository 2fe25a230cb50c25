/**
 * lib/audio features against float64 references computed by numpy/scipy
 * (scripts/fixtures/audio_ref.py → test/ref/audio/*.json), and their argument checks.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { ShapeError, tf } from '../lib';
import { kaldiMelBanks, logFilterbankEnergies } from '../lib/audio/fbank';
import { RealFft } from '../lib/audio/fft';
import { frame, padSignal } from '../lib/audio/frame';
import { logMel } from '../lib/audio/logMel';
import { AudioMatrix, audioMatrix, matrixRows, matrixToTensor, transposeMatrix } from '../lib/audio/matrix';
import { applyFilterbank, melFilterbank, MelOptions } from '../lib/audio/mel';
import { normalizeUtterance } from '../lib/audio/normalizeUtterance';
import { stackFrames } from '../lib/audio/stackFrames';
import { istft, magnitude, power, stft, StftOptions } from '../lib/audio/stft';
import { hannWindow, namedWindow } from '../lib/audio/window';

const refDir = path.join(__dirname, 'ref', 'audio');
const load = (name: string) => JSON.parse(fs.readFileSync(path.join(refDir, name), 'utf8'));
const features = load('features.json');
const fbankRef = load('fbank.json');
const int16ToFloat = (v: number[]): Float32Array => Float32Array.from(v, (s) => s / 32768);
const x = int16ToFloat(features.signalInt16);

/** max |a − b| / max |b|: the error relative to the reference's scale. */
function scaledError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let err = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    err = Math.max(err, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return err / Math.max(scale, 1e-30);
}
const maxAbsError = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let err = 0;
  for (let i = 0; i < b.length; i++) err = Math.max(err, Math.abs(a[i] - b[i]));
  return err;
};

describe('AudioMatrix helpers and the FFT', () => {
  it('wrap, transpose, list and convert to a tensor without leaking', () => {
    const m = audioMatrix(Float32Array.from([1, 2, 3, 4, 5, 6]), 2, 3);
    expect(matrixRows(transposeMatrix(m))).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
    const before = tf.memory().numTensors;
    const t = matrixToTensor(m);
    expect(t.shape).toEqual([2, 3]);
    expect(Array.from(t.dataSync())).toEqual([1, 2, 3, 4, 5, 6]);
    t.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => audioMatrix(new Float32Array(5), 2, 3)).toThrow(
      /audioMatrix: argument 'data' expected length rows·cols = 2·3 = 6 but got 5/,
    );
  });
  it('RealFft: forward is the DFT, inverse undoes it, sizes must be powers of two', () => {
    const N = 16;
    const x = Float64Array.from({ length: N }, (_, i) => Math.sin(i) + 0.3 * i);
    const fft = new RealFft(N);
    const re = new Float32Array(fft.bins);
    const im = new Float32Array(fft.bins);
    fft.forward(x, re, im, 0);
    for (let k = 0; k < fft.bins; k++) {
      let dr = 0;
      let di = 0;
      for (let i = 0; i < N; i++) {
        dr += x[i] * Math.cos((2 * Math.PI * i * k) / N);
        di -= x[i] * Math.sin((2 * Math.PI * i * k) / N);
      }
      expect(re[k]).toBeCloseTo(dr, 4);
      expect(im[k]).toBeCloseTo(di, 4);
    }
    const back = new Float64Array(N);
    fft.inverse(re, im, 0, back);
    expect(maxAbsError(back, x)).toBeLessThan(1e-5);
    expect(() => new RealFft(12)).toThrow(
      /RealFft: argument 'size' expected a power of two \(fft.js is radix-2\/4\) but got 12/,
    );
  });
});

describe('windows', () => {
  for (const [n, ref] of Object.entries(features.windows) as [string, Record<string, number[]>][]) {
    it(`Hann (periodic, symmetric), Hamming and Povey of length ${n} match scipy/Kaldi`, () => {
      const N = Number(n);
      expect(maxAbsError(hannWindow(N), ref.hannPeriodic)).toBeLessThan(1e-7);
      expect(maxAbsError(hannWindow(N, { periodic: false }), ref.hannSymmetric)).toBeLessThan(1e-7);
      expect(maxAbsError(namedWindow('hamming', N), ref.hamming)).toBeLessThan(1e-7);
      expect(maxAbsError(namedWindow('povey', N), ref.povey)).toBeLessThan(1e-7);
    });
  }
  it('rejects a bad length or name with a named error', () => {
    expect(() => hannWindow(0)).toThrow(/hannWindow: argument 'n' expected an integer >= 1/);
    expect(() => namedWindow('blackman' as never, 8)).toThrow(/namedWindow: argument 'name'/);
  });
});

describe('frame and padSignal', () => {
  it('cut whole frames x[t·hop + i] and pad like numpy', () => {
    const s = Float32Array.from({ length: 10 }, (_, i) => i);
    const f = frame(s, 4, 3);
    expect([f.rows, f.cols]).toEqual([3, 4]);
    expect(Array.from(f.data)).toEqual([0, 1, 2, 3, 3, 4, 5, 6, 6, 7, 8, 9]);
    expect(frame(s, 11, 1).rows).toBe(0);
    expect(Array.from(padSignal(Float32Array.from([1, 2, 3, 4]), 2, 'reflect'))).toEqual([3, 2, 1, 2, 3, 4, 3, 2]);
    expect(Array.from(padSignal(Float32Array.from([1, 2]), 1, 'constant'))).toEqual([0, 1, 2, 0]);
    expect(() => padSignal(Float32Array.from([1, 2]), 2, 'reflect')).toThrow(
      /padSignal: reflect padding by 2 needs more than 2 samples/,
    );
    expect(() => frame(s, 4, 0)).toThrow(/frame: argument 'hop' expected an integer >= 1/);
  });
});

describe('stft', () => {
  for (const ref of features.stft) {
    it(`matches ${ref.source} for ${JSON.stringify(ref.opts)}`, () => {
      const S = stft(x, ref.opts as StftOptions);
      expect([S.frames, S.bins]).toEqual([ref.frames, ref.bins]);
      expect(scaledError(S.re, ref.re)).toBeLessThan(2e-6);
      expect(scaledError(S.im, ref.im)).toBeLessThan(2e-6);
    });
  }
  it('magnitude and power are |X| and |X|²', () => {
    const S = stft(x, { nFft: 128, hop: 32 });
    const m = magnitude(S);
    const p = power(S);
    expect([m.rows, m.cols, p.rows, p.cols]).toEqual([S.frames, S.bins, S.frames, S.bins]);
    for (const i of [0, 5, 700, S.re.length - 1]) {
      expect(m.data[i]).toBeCloseTo(Math.hypot(S.re[i], S.im[i]), 5);
      expect(p.data[i]).toBeCloseTo(S.re[i] ** 2 + S.im[i] ** 2, 5);
    }
  });
  it('rejects a non-power-of-two nFft, win > nFft, a too-short signal, NaN samples and a plain array', () => {
    expect(() => stft(x, { nFft: 400 })).toThrow(/stft: argument 'nFft' expected a power of two but got 400/);
    expect(() => stft(x, { nFft: 256, win: 300 })).toThrow(/stft: argument 'win' expected an integer >= 1 <= 256/);
    expect(() => stft(x.subarray(0, 100), { nFft: 256, center: false })).toThrow(
      /stft: argument 'signal' has 100 samples, fewer than nFft = 256/,
    );
    expect(() => stft(Float32Array.from([0, NaN, 0, 0, 0]), { nFft: 4 })).toThrow(
      /stft: argument 'signal' has a non-finite sample NaN at index 1/,
    );
    expect(() => stft([1, 2, 3] as never, { nFft: 4 })).toThrow(ShapeError);
    expect(() => stft(x, { nFft: 256, window: new Float32Array(100), win: 128 })).toThrow(
      /stft: argument 'window' expected length win = 128 but got 100/,
    );
  });
});

describe('istft', () => {
  const cases: StftOptions[] = [
    { nFft: 256, hop: 64 },
    { nFft: 512, hop: 128, win: 400, padMode: 'reflect' },
    { nFft: 256, hop: 128 },
    { nFft: 128, hop: 32, center: false },
  ];
  for (const opts of cases) {
    it(`inverts stft (${JSON.stringify(opts)})`, () => {
      const S = stft(x, opts);
      const { nFft: _nFft, ...rest } = opts;
      void _nFft;
      const y = istft(S, { ...rest, length: x.length });
      expect(y.length).toBe(x.length);
      // Without centring the first and last nFft − hop samples are not covered by full overlap.
      const edge = opts.center === false ? opts.nFft : 0;
      expect(maxAbsError(y.subarray(edge, x.length - edge), x.subarray(edge, x.length - edge))).toBeLessThan(1e-6);
    });
  }
  it('defaults to (frames − 1)·hop samples when centred', () => {
    const S = stft(x, { nFft: 256, hop: 64 });
    expect(istft(S, { hop: 64 }).length).toBe((S.frames - 1) * 64);
  });
  it('rejects a spectrum whose bins are not nFft/2 + 1 of a power of two', () => {
    expect(() => istft({ re: new Float32Array(12), im: new Float32Array(12), frames: 2, bins: 6 })).toThrow(
      /istft: argument 'spec' expected bins = nFft\/2 \+ 1/,
    );
    expect(() => istft({ re: new Float32Array(12), im: new Float32Array(11), frames: 2, bins: 6 })).toThrow(
      /istft: argument 'spec' expected a ComplexSpectrum/,
    );
  });
});

function denseFromRuns(ref: { rows: number; cols: number; runs: [number, number[]][] }): Float64Array {
  const out = new Float64Array(ref.rows * ref.cols);
  ref.runs.forEach(([start, values], j) => values.forEach((v, i) => (out[j * ref.cols + start + i] = v)));
  return out;
}

describe('melFilterbank', () => {
  for (const ref of features.mel) {
    it(`matches librosa's formulas (numpy) for ${JSON.stringify(ref.opts)}`, () => {
      const fb = melFilterbank(ref.opts as MelOptions);
      expect([fb.rows, fb.cols]).toEqual([ref.rows, ref.cols]);
      expect(scaledError(fb.data, denseFromRuns(ref))).toBeLessThan(1e-6);
    });
  }
  it('rejects fMin ≥ fMax, fMax above Nyquist, and an unknown scale or norm', () => {
    const base = { sampleRate: 16000, nFft: 512, nMels: 40 };
    expect(() => melFilterbank({ ...base, fMin: 4000, fMax: 3000 })).toThrow(
      /melFilterbank: arguments 'fMin' \(4000\) and 'fMax' \(3000\) expected fMin < fMax/,
    );
    expect(() => melFilterbank({ ...base, fMax: 9000 })).toThrow(
      /melFilterbank: argument 'fMax' expected a finite number >= 0 <= 8000/,
    );
    expect(() => melFilterbank({ ...base, scale: 'bark' as never })).toThrow(/melFilterbank: argument 'scale'/);
    expect(() => melFilterbank({ ...base, norm: 'l2' as never })).toThrow(/melFilterbank: argument 'norm'/);
  });
  it('applyFilterbank equals the dense product and checks the bin count', () => {
    const fb = melFilterbank({ sampleRate: 16000, nFft: 128, nMels: 10 });
    const spec = magnitude(stft(x, { nFft: 128, hop: 64 }));
    const out = applyFilterbank(spec, fb);
    for (const [t, j] of [
      [0, 0],
      [3, 4],
      [spec.rows - 1, 9],
    ]) {
      let acc = 0;
      for (let k = 0; k < fb.cols; k++) acc += fb.data[j * fb.cols + k] * spec.data[t * spec.cols + k];
      expect(out.data[t * 10 + j]).toBeCloseTo(acc, 5);
    }
    const wrong: AudioMatrix = { data: new Float32Array(6), rows: 2, cols: 3 };
    expect(() => applyFilterbank(wrong, fb)).toThrow(
      /applyFilterbank: argument 'spec' expected 65 columns but got \[2, 3\]/,
    );
  });
});

describe('logMel', () => {
  for (const ref of features.logMel) {
    it(`matches numpy for power ${ref.opts.power}`, () => {
      const L = logMel(x, ref.opts);
      expect([L.rows, L.cols]).toEqual([ref.rows, ref.cols]);
      expect(maxAbsError(L.data, ref.data)).toBeLessThan(1e-5);
      expect(Math.min(...L.data)).toBeGreaterThanOrEqual(Math.log(1e-5) - 1e-6);
    });
  }
  it('rejects a non-positive floor and a power other than 1 or 2', () => {
    const opts = { sampleRate: 16000, nFft: 512, nMels: 40 };
    expect(() => logMel(x, { ...opts, floor: 0 })).toThrow(/logMel: argument 'floor' expected a finite number > 0/);
    expect(() => logMel(x, { ...opts, power: 3 as never })).toThrow(/melSpectrogram: argument 'power' expected 1 or 2/);
  });
});

describe('logFilterbankEnergies (Kaldi-style)', () => {
  const sig = int16ToFloat(fbankRef.signalInt16);
  it("matches a numpy implementation of Kaldi's compute-fbank-feats (dither 0)", () => {
    const E = logFilterbankEnergies(sig, fbankRef.sampleRate);
    expect([E.rows, E.cols]).toEqual([fbankRef.rows, fbankRef.cols]);
    expect(maxAbsError(E.data, fbankRef.fbank)).toBeLessThan(2e-4);
  });
  it('rejects a signal shorter than one frame and a bad sample rate', () => {
    expect(() => logFilterbankEnergies(sig.subarray(0, 300), 16000)).toThrow(
      /logFilterbankEnergies: argument 'signal' has 300 samples, fewer than one 25 ms frame \(400 samples\)/,
    );
    expect(() => logFilterbankEnergies(sig, 0)).toThrow(
      /logFilterbankEnergies: argument 'sampleRate' expected a finite number > 0/,
    );
  });
});

describe('normalizeUtterance and stackFrames', () => {
  const E = { data: Float32Array.from(fbankRef.fbank as number[]), rows: fbankRef.rows, cols: fbankRef.cols };
  it('normalise each dimension to zero mean and unit variance (numpy reference)', () => {
    const N = normalizeUtterance(E);
    expect(maxAbsError(N.data, fbankRef.normalized)).toBeLessThan(1e-4);
  });
  it('stack 5 × 40 → 200 at a fifth of the frame rate (numpy reshape)', () => {
    const S = stackFrames(E, 5);
    expect([S.rows, S.cols]).toEqual([fbankRef.stackedRows, 200]);
    expect(maxAbsError(S.data, Float32Array.from(fbankRef.stacked5 as number[]))).toBe(0);
  });
  it('reject too few frames and a malformed matrix', () => {
    expect(() => stackFrames({ data: new Float32Array(8), rows: 2, cols: 4 }, 5)).toThrow(
      /stackFrames: argument 'feats' has 2 frames, fewer than k = 5/,
    );
    expect(() => normalizeUtterance({ data: new Float32Array(7), rows: 2, cols: 4 })).toThrow(
      /normalizeUtterance: argument 'feats' expected an AudioMatrix/,
    );
  });
});

describe('feature extraction speed (printed, not asserted)', () => {
  it('times logMel and logFilterbankEnergies on a 3 s utterance', () => {
    const n = 48000;
    const u = new Float32Array(n);
    for (let i = 0; i < n; i++) u[i] = x[i % x.length];
    const fns = {
      'logMel (nFft 1024, hop 256, 80 mels)': () =>
        logMel(u, { sampleRate: 16000, nFft: 1024, hop: 256, nMels: 80, fMax: 8000 }),
      'logFilterbankEnergies (40, 25/10 ms)': () => logFilterbankEnergies(u, 16000),
    };
    const times: Record<string, number[]> = {};
    for (const f of Object.values(fns)) f(); // warm-up: JIT, cached filterbanks and FFT plans
    for (let r = 0; r < 15; r++)
      for (const [k, f] of Object.entries(fns)) {
        const t0 = performance.now();
        f();
        (times[k] ??= []).push(performance.now() - t0);
      }
    for (const [k, v] of Object.entries(times)) {
      v.sort((a, b) => a - b);
      console.log(
        `${k}: median ${v[7].toFixed(2)} ms, min ${v[0].toFixed(2)} ms per 3 s ` +
          `utterance (×1500 ≈ ${((v[7] * 1500) / 1000).toFixed(1)} s at the median)`,
      );
    }
    expect(Object.keys(times).length).toBe(2);
  });
});

describe('filterbanks refuse what they cannot resolve', () => {
  it('melFilterbank and kaldiMelBanks name the filters that fall between FFT bins', () => {
    expect(() => melFilterbank({ sampleRate: 16000, nFft: 512, nMels: 256 })).toThrow(
      /^melFilterbank: \d+ of the nMels = 256 filters fall between the 257 FFT bins \(nFft 512\)/,
    );
    expect(() => kaldiMelBanks(16000, 512, 200, 20, 0)).toThrow(
      /^kaldiMelBanks: \d+ of the nMels = 200 filters fall between the 256 FFT bins \(paddedSize 512\)/,
    );
    expect(melFilterbank({ sampleRate: 16000, nFft: 1024, nMels: 80 }).rows).toBe(80);
  });
  it('kaldiMelBanks names a bad argument instead of a RangeError or a fractional matrix', () => {
    expect(() => kaldiMelBanks(16000, 512, -3, 20, 0)).toThrow("kaldiMelBanks: argument 'nMels'");
    expect(() => kaldiMelBanks(16000, 511, 40, 20, 0)).toThrow(
      "kaldiMelBanks: argument 'paddedSize' expected an even FFT size but got 511",
    );
  });
});
