/**
 * Mel inversion, Griffin-Lim and the sound descriptors against float64 numpy/scipy references
 * (scripts/fixtures/audio_ref.py → test/ref/audio/synthesis.json) and synthetic signals with
 * known answers.
 */
import * as fs from 'fs';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { Rng } from '../lib';
import { attackTime } from '../lib/audio/attack';
import { griffinLim, griffinLimFromMel } from '../lib/audio/griffinLim';
import { logMel } from '../lib/audio/logMel';
import { rmsDb } from '../lib/audio/loudness';
import { melFilterbank, MelOptions } from '../lib/audio/mel';
import { melToLinear } from '../lib/audio/melInverse';
import { yinPitch } from '../lib/audio/pitch';
import { spectralCentroid, spectralFlatness } from '../lib/audio/spectralShape';
import { magnitude, stft } from '../lib/audio/stft';

const ref = JSON.parse(fs.readFileSync(path.join(__dirname, 'ref', 'audio', 'synthesis.json'), 'utf8'));
const sr: number = ref.sampleRate;
const x = Float32Array.from(ref.signalInt16 as number[], (s) => s / 32768);
const maxAbsError = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  expect(a.length).toBe(b.length);
  let e = 0;
  for (let i = 0; i < b.length; i++) e = Math.max(e, Math.abs(a[i] - b[i]));
  return e;
};
const maxAbs = (a: ArrayLike<number>): number => Array.from(a).reduce((m, v) => Math.max(m, Math.abs(v)), 0);
const sine = (n: number, f: number, a = 0.5, rate = sr): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => a * Math.sin((2 * Math.PI * f * i) / rate));
const median = (v: ArrayLike<number>): number => {
  const s = Array.from(v).sort((p, q) => p - q);
  return s[s.length >> 1];
};

describe('melToLinear', () => {
  const mi = ref.melInverse;
  const fb = melFilterbank(mi.opts as MelOptions);
  const mel = { data: Float32Array.from(mi.mel as number[]), rows: mi.frames, cols: 20 };
  it('pinv equals numpy.linalg.pinv(W)·m clipped at 0', () => {
    const S = melToLinear(mel, fb, { method: 'pinv' });
    expect([S.rows, S.cols]).toEqual([mi.frames, 129]);
    expect(maxAbsError(S.data, mi.pinv) / maxAbs(mi.pinv)).toBeLessThan(1e-4);
  });
  it('nnls is non-negative and reaches a residual ‖Ws − m‖ as small as scipy.optimize.nnls (relative to ‖m‖)', () => {
    const S = melToLinear(mel, fb, { method: 'nnls', iterations: 300 });
    expect(Math.min(...S.data)).toBeGreaterThanOrEqual(0);
    for (let t = 0; t < mel.rows; t++) {
      let res = 0;
      let norm = 0;
      for (let j = 0; j < 20; j++) {
        let acc = 0;
        for (let k = 0; k < 129; k++) acc += fb.data[j * 129 + k] * S.data[t * 129 + k];
        res += (acc - mel.data[t * 20 + j]) ** 2;
        norm += mel.data[t * 20 + j] ** 2;
      }
      expect(Math.sqrt(res)).toBeLessThanOrEqual(mi.nnlsResidual[t] + 1e-3 * Math.sqrt(norm));
    }
  });
  it('power 2 returns the square root; bad input is rejected by name', () => {
    const p1 = melToLinear(mel, fb, { method: 'pinv' });
    const p2 = melToLinear(mel, fb, { method: 'pinv', power: 2 });
    expect(p2.data[100]).toBeCloseTo(Math.sqrt(p1.data[100]), 5);
    expect(() => melToLinear({ data: new Float32Array(10), rows: 1, cols: 10 }, fb)).toThrow(
      /melToLinear: argument 'mel' expected 20 columns but got \[1, 10\]/,
    );
    expect(() =>
      melToLinear({ data: Float32Array.from({ length: 20 }, (_, i) => i - 1), rows: 1, cols: 20 }, fb),
    ).toThrow(/melToLinear: argument 'mel' expected non-negative finite values .* element 0 is -1/);
    expect(() => melToLinear(mel, fb, { method: 'lsq' as never })).toThrow(/melToLinear: argument 'method'/);
  });
});

describe('griffinLim', () => {
  const S = magnitude(stft(x, { nFft: 256, hop: 64 }));
  for (const [momentum, run] of Object.entries(ref.griffinLim.runs) as [
    string,
    { spectralConvergence: number[]; signal: number[] | null },
  ][]) {
    it(
      `from zero phase with momentum ${momentum} follows numpy's ` +
        `iteration (spectral convergence${run.signal ? ' and signal' : ''})`,
      () => {
        const r = griffinLim(S, {
          hop: 64,
          iterations: 8,
          init: 'zeros',
          momentum: Number(momentum),
          length: x.length,
        });
        expect(r.spectralConvergence.length).toBe(8);
        expect(maxAbsError(r.spectralConvergence, run.spectralConvergence)).toBeLessThan(1e-5);
        if (run.signal) expect(maxAbsError(r.signal, run.signal) / maxAbs(run.signal)).toBeLessThan(1e-4);
      },
    );
  }
  it('classic Griffin-Lim never increases the spectral convergence; the fast variant ends lower', () => {
    const classic = griffinLim(S, { hop: 64, iterations: 30, momentum: 0, seed: 1 }).spectralConvergence;
    for (let i = 1; i < classic.length; i++) expect(classic[i]).toBeLessThanOrEqual(classic[i - 1] + 1e-5);
    const fast = griffinLim(S, { hop: 64, iterations: 30, momentum: 0.99, seed: 1 }).spectralConvergence;
    expect(fast[29]).toBeLessThan(classic[29]);
    expect(fast[29]).toBeLessThan(0.5 * fast[0]);
  });
  it('is deterministic for a seed and rejects bad options by name', () => {
    const a = griffinLim(S, { hop: 64, iterations: 2, seed: 5 });
    const b = griffinLim(S, { hop: 64, iterations: 2, seed: 5 });
    expect(Array.from(a.signal)).toEqual(Array.from(b.signal));
    expect(() => griffinLim(S, { hop: 64, momentum: 1 })).toThrow(
      /griffinLim: argument 'momentum' expected a number in \[0, 1\)/,
    );
    expect(() => griffinLim({ data: new Float32Array(12), rows: 2, cols: 6 }, {})).toThrow(
      /griffinLim: argument 'magnitude' expected nFft\/2 \+ 1 columns/,
    );
  });
  it('griffinLimFromMel turns a log-mel back into a waveform of the requested length with decreasing SC', () => {
    const opts = { sampleRate: sr, nFft: 256, hop: 64, nMels: 40 };
    const L = logMel(x, opts);
    const r = griffinLimFromMel(L, { ...opts, logInput: true, iterations: 16, length: x.length });
    expect(r.signal.length).toBe(x.length);
    expect([r.linear.rows, r.linear.cols]).toEqual([L.rows, 129]);
    expect(r.spectralConvergence[15]).toBeLessThan(r.spectralConvergence[0]);
    // The reconstruction's own log-mel is close to the input's (phase is lost, the mel is kept).
    const back = logMel(r.signal, opts);
    let err = 0;
    let n = 0;
    for (let i = 0; i < L.data.length; i++)
      if (L.data[i] > -6) {
        err += Math.abs(back.data[i] - L.data[i]);
        n++;
      }
    expect(err / n).toBeLessThan(0.5);
    expect(() => griffinLimFromMel(L, { ...opts, nMels: 80 })).toThrow(
      /griffinLimFromMel: argument 'mel' expected nMels = 80 columns/,
    );
  });
});

describe('descriptors against numpy', () => {
  it('rmsDb, spectralCentroid, spectralFlatness and yinPitch match the float64 references', () => {
    expect(maxAbsError(rmsDb(x, { frameLength: 512, hop: 128, floorDb: -100 }), ref.rmsDb.values)).toBeLessThan(1e-4);
    const S = magnitude(stft(x, { nFft: 512, hop: 128 }));
    expect(maxAbsError(spectralCentroid(S, sr), ref.centroid)).toBeLessThan(0.01);
    expect(maxAbsError(spectralFlatness(S), ref.flatness)).toBeLessThan(1e-4);
    const f0 = yinPitch(x, ref.yin.opts).f0;
    expect(f0.length).toBe(ref.yin.f0.length);
    expect(maxAbsError(f0, ref.yin.f0)).toBeLessThan(1e-3);
    // The test signal's f0 glides from 120 to 220 Hz; voiced frames must lie on the glide.
    const voiced = Array.from(f0.filter((v) => v > 0));
    expect(voiced.length).toBeGreaterThanOrEqual(8);
    expect(Math.min(...voiced)).toBeGreaterThan(120);
    expect(Math.max(...voiced)).toBeLessThan(220);
  });
});

describe('descriptors on signals with known answers', () => {
  it('rmsDb: a full-scale sine is −3.01 dB, half scale −9.03 dB, silence the floor', () => {
    const full = rmsDb(sine(16000, 1000, 1), { frameLength: 1600, hop: 800, center: false });
    expect(median(full)).toBeCloseTo(-3.0103, 2);
    expect(median(rmsDb(sine(16000, 1000, 0.5), { frameLength: 1600, hop: 800, center: false }))).toBeCloseTo(
      -9.0309,
      2,
    );
    expect(Array.from(rmsDb(new Float32Array(4000), { floorDb: -80 }))).toEqual(
      new Array(rmsDb(new Float32Array(4000)).length).fill(-80),
    );
  });
  it(
    'spectralCentroid of a 1 kHz tone on a bin centre is 1 kHz; ' +
      'flatness is ≈ 0 for it and ≈ e^−γ ≈ 0.56 for white noise',
    () => {
      const tone = magnitude(stft(sine(16000, 1000), { nFft: 512, hop: 128, center: false }));
      expect(median(spectralCentroid(tone, sr))).toBeCloseTo(1000, 1);
      expect(median(spectralFlatness(tone))).toBeLessThan(1e-3);
      const rng = new Rng(3);
      const noise = Float32Array.from({ length: 32000 }, () => 0.1 * rng.normal());
      const flat = median(spectralFlatness(magnitude(stft(noise, { nFft: 512, hop: 256, center: false }))));
      // Power of a white-noise bin is exponential: E[ln p] = ln E[p] − γ, so flatness → e^−γ = 0.5615.
      expect(flat).toBeGreaterThan(0.5);
      expect(flat).toBeLessThan(0.62);
      expect(median(spectralCentroid(magnitude(stft(noise, { nFft: 512, hop: 256 })), sr))).toBeGreaterThan(3500);
    },
  );
  it('yinPitch finds a sine, a missing fundamental, and calls noise unvoiced', () => {
    const a = yinPitch(sine(8000, 220), { sampleRate: sr });
    expect(Math.abs(median(a.f0) - 220) / 220).toBeLessThan(0.002);
    const missing = Float32Array.from({ length: 8000 }, (_, i) =>
      [2, 3, 4, 5].reduce((s, h) => s + 0.1 * Math.sin((2 * Math.PI * 150 * h * i) / sr), 0),
    );
    expect(Math.abs(median(yinPitch(missing, { sampleRate: sr }).f0) - 150)).toBeLessThan(1);
    const rng = new Rng(4);
    const noise = Float32Array.from({ length: 8000 }, () => 0.1 * rng.normal());
    const n = yinPitch(noise, { sampleRate: sr });
    expect(n.voiced.reduce((s, v) => s + v, 0)).toBeLessThan(0.1 * n.voiced.length);
    expect(() => yinPitch(noise, { sampleRate: sr, fMin: 400, fMax: 300 })).toThrow(
      /yinPitch: arguments 'fMin' \(400\) and 'fMax' \(300\) expected fMin < fMax/,
    );
  });
  it(
    'attackTime of a linear 100 ms fade-in is ≈ 80 ms (10 % → 90 %), ' + 'of a step ≈ 8 ms (the 10 ms envelope window)',
    () => {
      const ramp = Float32Array.from(
        { length: 16000 },
        (_, i) => Math.min(1, i / 1600) * Math.sin((2 * Math.PI * 440 * i) / sr),
      );
      expect(attackTime(ramp, sr).attack).toBeCloseTo(0.08, 2);
      const step = Float32Array.from({ length: 16000 }, (_, i) =>
        i >= 4000 ? Math.sin((2 * Math.PI * 440 * i) / sr) : 0,
      );
      const s = attackTime(step, sr);
      expect(s.attack).toBeGreaterThan(0.005);
      expect(s.attack).toBeLessThan(0.0095);
      expect(s.start).toBeCloseTo(0.25, 2);
      expect(() => attackTime(new Float32Array(1000), sr)).toThrow(/attackTime: argument 'signal' is silent/);
    },
  );
});
