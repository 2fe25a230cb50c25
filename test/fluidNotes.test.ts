/**
 * fluid-notes: the shipped notes load with the shapes and labels the manifest promises, their
 * log-mel equals lib/audio's on the shipped listening clips (within the quantisation step),
 * descriptors are finite and track velocity; damaged copies fail with a DatasetError naming
 * the file; noteDescriptors on synthetic notes with known answers.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { describe, expect, it } from 'vitest';
import { tf } from '../lib';
import { logMel } from '../lib/audio/logMel';
import { noteDescriptors } from '../lib/audio/noteDescriptors';
import { readWav } from '../lib/audio/wav';
import { DatasetError } from '../lib/data/datasetError';
import { datasetDir, readManifest } from '../lib/data/datasetFiles';
import { FLUID_NOTES_FEATURES, FLUID_NOTES_INSTRUMENTS, loadFluidNotes } from '../lib/data/fluidNotes';
import { copyDataset, replaceListed } from './helpers';

describe('fluid-notes dataset', () => {
  it('loads both splits with the promised shapes, a held-out fifth per instrument, and finite descriptors', () => {
    const train = loadFluidNotes({ split: 'train' }),
      test = loadFluidNotes({ split: 'test' });
    const f = FLUID_NOTES_FEATURES;
    expect(train.logMel.shape).toEqual([1000, f.frames, f.nMels]);
    expect(test.logMel.shape).toEqual([250, f.frames, f.nMels]);
    for (const inst of FLUID_NOTES_INSTRUMENTS)
      expect(test.notes.filter((n) => n.family === inst.family).length).toBe(25);
    const keys = new Set(train.notes.map((n) => `${n.program}/${n.pitch}/${n.velocity}`));
    expect(test.notes.some((n) => keys.has(`${n.program}/${n.pitch}/${n.velocity}`))).toBe(false);
    // Louder velocities measure louder: mean loudness rises with velocity.
    const byVelocity = [32, 56, 80, 104, 127].map((v) => {
      const l = train.notes.filter((n) => n.velocity === v).map((n) => n.loudnessDb);
      return l.reduce((s, x) => s + x, 0) / l.length;
    });
    for (let i = 1; i < byVelocity.length; i++) expect(byVelocity[i]).toBeGreaterThan(byVelocity[i - 1]);
    tf.dispose([train.logMel, test.logMel]);
  });

  it("stores lib/audio's log-mel of each listening clip, to the quantisation step", () => {
    const dir = datasetDir('fluid-notes');
    const f = FLUID_NOTES_FEATURES;
    const d = loadFluidNotes({ split: 'train' }),
      t = loadFluidNotes({ split: 'test' });
    const all = [
      ...d.notes.map((n, i) => ({ n, i, mel: d.logMel })),
      ...t.notes.map((n, i) => ({ n, i, mel: t.logMel })),
    ];
    for (const inst of FLUID_NOTES_INSTRUMENTS.slice(0, 3)) {
      const hit = all.find(
        ({ n }) => n.program === inst.program && n.pitch === inst.lowPitch + 12 && n.velocity === 104,
      )!;
      const clip = readWav(path.join(dir, `listen-${inst.family}.wav`));
      const ref = logMel(clip.samples, {
        sampleRate: f.sampleRate,
        nFft: f.nFft,
        hop: f.hop,
        nMels: f.nMels,
        fMin: 0,
        fMax: f.sampleRate / 2,
      });
      const stored = hit.mel.slice([hit.i, 0, 0], [1, f.frames, f.nMels]).dataSync();
      const step = (f.logMelMax - f.logMelMin) / 255;
      let worst = 0;
      for (let j = 0; j < ref.data.length; j++) {
        const clipped = Math.min(Math.max(ref.data[j], f.logMelMin), f.logMelMax);
        worst = Math.max(worst, Math.abs(stored[j] - clipped));
      }
      // The clip is PCM16, the features came from the float render: allow one quantisation step more.
      expect(worst).toBeLessThan(1.5 * step);
    }
    tf.dispose([d.logMel, t.logMel]);
  });

  it('filters families and names bad arguments', () => {
    const strings = loadFluidNotes({ split: 'test', families: ['string', 'flute'], limit: 30 });
    expect(strings.notes.length).toBe(30);
    expect(new Set(strings.notes.map((n) => n.family))).toEqual(new Set(['string', 'flute']));
    strings.logMel.dispose();
    expect(() => loadFluidNotes({ split: 'test', families: ['kazoo'] })).toThrow(
      "loadFluidNotes: argument 'families' expected names from",
    );
    expect(() => loadFluidNotes({ split: 'val' as never })).toThrow('loadFluidNotes: split must be one of train, test');
  });

  it('fails with a DatasetError naming the file when a file is missing, truncated or corrupted', () => {
    const missing = copyDataset('fluid-notes');
    fs.rmSync(path.join(missing, 'logmel.idx3-ubyte.gz'));
    expect(() => loadFluidNotes({ split: 'train', dir: missing })).toThrow(DatasetError);
    expect(() => loadFluidNotes({ split: 'train', dir: missing })).toThrow(/logmel\.idx3-ubyte\.gz.*missing file/);
    const truncated = copyDataset('fluid-notes');
    const file = path.join(truncated, 'notes.json.gz');
    fs.writeFileSync(file, fs.readFileSync(file).subarray(0, 100));
    expect(() => loadFluidNotes({ split: 'train', dir: truncated })).toThrow(/notes\.json\.gz.*truncated/);
    const corrupt = copyDataset('fluid-notes');
    const mel = path.join(corrupt, 'logmel.idx3-ubyte.gz');
    const bytes = fs.readFileSync(mel);
    bytes[bytes.length >> 1] ^= 0xff;
    fs.writeFileSync(mel, bytes);
    expect(() => loadFluidNotes({ split: 'train', dir: corrupt })).toThrow(/checksum mismatch/);
    expect(readManifest(datasetDir('fluid-notes')).counts).toEqual({ notes: 1250, train: 1000, test: 250 });
  });

  it('rejects a note id that is not a row of the spectrograms (even with a re-signed manifest)', () => {
    for (const id of [999999, -1, 1.5]) {
      const dir = copyDataset('fluid-notes');
      const file = path.join(dir, 'notes.json.gz');
      const data = JSON.parse(zlib.gunzipSync(fs.readFileSync(file)).toString('utf8')) as { notes: { id: number }[] };
      data.notes[3].id = id;
      const bytes = zlib.gzipSync(JSON.stringify(data));
      replaceListed(dir, 'notes.json.gz', bytes);
      expect(() => loadFluidNotes({ split: 'train', dir })).toThrow(
        `notes.json.gz: wrong format: note 3 has id ${id}, not a row of the 1250 spectrograms`,
      );
    }
  });
});

describe('noteDescriptors', () => {
  const sr = 16000;
  it('finds f0, loudness, a slow attack and a tonal flatness on a fading-in sine', () => {
    const x = new Float32Array(sr);
    for (let i = 0; i < sr; i++) x[i] = 0.5 * Math.min(1, i / (0.2 * sr)) * Math.sin((2 * Math.PI * 220 * i) / sr);
    const d = noteDescriptors(x, sr, { heldSeconds: 1 });
    expect(Math.abs(d.f0Hz - 220)).toBeLessThan(2);
    expect(d.attackSeconds).toBeGreaterThan(0.12);
    expect(d.attackSeconds).toBeLessThan(0.2);
    expect(d.flatness).toBeLessThan(0.01);
    expect(Math.abs(d.centroidHz - 220)).toBeLessThan(40);
    // A steady sine of amplitude 0.5 has RMS 0.5/√2 ≈ −9.0 dB; the fade-in pulls the mean below it.
    expect(d.loudnessDb).toBeLessThan(-9);
    expect(d.loudnessDb).toBeGreaterThan(-14);
  });

  it('white noise is flat, unpitched and bright', () => {
    let s = 1;
    const x = new Float32Array(sr).map(() => (s = (s * 16807) % 2147483647) / 2147483647 - 0.5);
    const d = noteDescriptors(x, sr);
    expect(d.flatness).toBeGreaterThan(0.3);
    expect(d.centroidHz).toBeGreaterThan(3000);
    expect(() => noteDescriptors(new Float32Array(100), sr)).toThrow('noteDescriptors');
  });
});
