/**
 * The listener's plumbing: converting a log-mel spectrogram to log filterbank energies agrees
 * with computing them from the waveform; the checkpoint round-trips and refuses damaged files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { tf, Rng } from '../lib';
import { logFilterbankEnergies } from '../lib/audio/fbank';
import { logMel } from '../lib/audio/logMel';
import { DatasetError } from '../lib/data/datasetError';
import { sha256 } from '../lib/data/datasetFiles';
import { signManifest } from '../lib/data/manifestSignature';
import { saveListener, loadListener } from '../lib/models/listener/checkpoint';
import { logMelToLfbe, listenerFeaturesFromLfbe, listenerFeaturesFromLogMel } from '../lib/models/listener/features';
import { initSpeechRecognizer } from '../lib/models/listener/recognizer';

/**
 * A seeded speech-like test signal: a harmonic tone with a gliding pitch, vowel-like formant bumps and noise bursts.
 */
function testSignal(seconds: number, seed: number): Float32Array {
  const sr = 16000,
    rng = new Rng(seed),
    n = Math.round(seconds * sr);
  const x = new Float32Array(n);
  let phase = 0;
  for (let i = 0; i < n; i++) {
    const t = i / sr,
      seg = Math.floor(t / 0.2);
    const f0 = 110 + 40 * Math.sin(2 * Math.PI * 0.7 * t);
    phase += (2 * Math.PI * f0) / sr;
    let v = 0;
    for (let h = 1; h <= 20; h++)
      v += (Math.sin(h * phase) * Math.exp(-(((h * f0 - 500 - 300 * (seg % 4)) / 400) ** 2))) / h;
    x[i] = seg % 3 === 2 ? 0.05 * rng.normal() : 0.3 * v + 0.003 * rng.normal();
  }
  return x;
}

const rms = (a: Float32Array, b: Float32Array, n: number): number => {
  let s = 0;
  for (let i = 0; i < n; i++) s += (a[i] - b[i]) ** 2;
  return Math.sqrt(s / n);
};

describe('listener features', () => {
  it('log-mel → LFBE agrees with LFBE of the waveform after per-utterance normalisation', () => {
    const x = testSignal(2, 1);
    const cfg = { sampleRate: 16000, nFft: 1024, hop: 256, nMels: 80, fMin: 0, fMax: 8000 };
    const direct = listenerFeaturesFromLfbe(logFilterbankEnergies(x, 16000));
    const converted = listenerFeaturesFromLogMel(logMel(x, cfg), cfg);
    expect(Math.abs(converted.rows - direct.rows)).toBeLessThanOrEqual(2);
    const n = Math.min(converted.rows, direct.rows) * 40;
    const err = rms(converted.data, direct.data, n);
    expect(err).toBeLessThan(0.35);
    // A different utterance is far away (the comparison can fail).
    const other = listenerFeaturesFromLfbe(logFilterbankEnergies(testSignal(2, 2).reverse(), 16000));
    expect(rms(converted.data, other.data, n)).toBeGreaterThan(3 * err);
  });

  it('names bad arguments', () => {
    const m = { data: new Float32Array(10 * 80), rows: 10, cols: 80 };
    expect(() => logMelToLfbe(m, { sampleRate: 16000, nFft: 1024, nMels: 64 })).toThrow('logMelToLfbe');
    expect(() => listenerFeaturesFromLfbe(m)).toThrow('listenerFeaturesFromLfbe');
  });
});

describe('listener checkpoint', () => {
  const config = { featureDim: 40, vocabSize: 29, convChannels: 4, hidden: 3 };
  it('round-trips the weights and rejects missing, truncated and corrupted files', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'listener-'));
    const params = initSpeechRecognizer(config, 5);
    const manifest = saveListener(dir, params, {
      config,
      alphabet: Array.from({ length: 29 }, (_, i) => (i === 0 ? '' : String.fromCharCode(96 + i))),
      features: 'test',
      training: { steps: 0 },
    });
    const loaded = loadListener(dir);
    expect(loaded.manifest.weights.sha256).toBe(manifest.weights.sha256);
    for (const [k, v] of Object.entries(params))
      expect(Array.from(loaded.params[k].dataSync())).toEqual(Array.from(v.dataSync()));
    const w = path.join(dir, 'weights.bin');
    const bytes = fs.readFileSync(w);
    fs.writeFileSync(w, bytes.subarray(0, bytes.length - 4));
    expect(() => loadListener(dir)).toThrow(/weights.bin: truncated/);
    const flipped = Buffer.from(bytes);
    flipped[10] ^= 1;
    fs.writeFileSync(w, flipped);
    expect(() => loadListener(dir)).toThrow(/checksum mismatch/);
    fs.rmSync(w);
    expect(() => loadListener(dir)).toThrow(DatasetError);
    expect(() => loadListener(path.join(dir, 'nope'))).toThrow(/missing manifest/);
    tf.dispose([Object.values(params), Object.values(loaded.params)]);
    fs.rmSync(dir, { recursive: true });
  });

  it('rejects NaN weights, overlapping parameters and an alphabet that does not fit the vocabulary, re-signed', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'listener-'));
    const params = initSpeechRecognizer(config, 5);
    const alphabet = Array.from({ length: 29 }, (_, i) => String(i));
    const manifest = saveListener(dir, params, { config, alphabet, features: 'test', training: { steps: 0 } });
    tf.dispose(Object.values(params));
    const w = path.join(dir, 'weights.bin');
    const m = path.join(dir, 'manifest.json');
    const good = fs.readFileSync(w);
    const resign = (bytes: Buffer, edit: (x: typeof manifest) => void = () => undefined): void => {
      fs.writeFileSync(w, bytes);
      const copy = JSON.parse(JSON.stringify(manifest)) as typeof manifest;
      Object.assign(copy.weights, { bytes: bytes.length, sha256: sha256(bytes) });
      edit(copy);
      fs.writeFileSync(m, JSON.stringify(signManifest(copy)));
    };
    const nan = Buffer.from(good);
    nan.writeFloatLE(NaN, 4 * 7);
    resign(nan);
    expect(() => loadListener(dir)).toThrow(/weights\.bin: parameter '\w+' holds NaN at element 7/);
    resign(good, (x) => (x.params[1].offset = 1.5));
    expect(() => loadListener(dir)).toThrow(/offset 1\.5: not a whole, non-negative number of float32 values/);
    resign(good, (x) => (x.params[1].offset = x.params[0].offset));
    expect(() => loadListener(dir)).toThrow(/manifest\.json: parameters '\w+' and '\w+' overlap/);
    resign(good, (x) => (x.alphabet = x.alphabet.slice(0, 20)));
    expect(() => loadListener(dir)).toThrow("the alphabet has 20 symbols but the config's vocabSize is 29");
    // A field edited without re-signing (here the model's alphabet order) is refused outright.
    fs.writeFileSync(m, JSON.stringify({ ...manifest, alphabet: [...alphabet].reverse() }));
    expect(() => loadListener(dir)).toThrow(/manifest\.json: manifest fields changed since it was signed/);
    resign(good);
    tf.dispose(Object.values(loadListener(dir).params));
    fs.rmSync(dir, { recursive: true });
  });
});
