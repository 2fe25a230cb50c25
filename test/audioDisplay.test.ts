/**
 * Hearing and seeing sound: the audio display bundle, the runner's clip export and index
 * links, and the waveform / spectrogram / alignment figure builders.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, describe, expect, it } from 'vitest';
import { logMel } from '../lib/audio/logMel';
import { melEdges } from '../lib/audio/mel';
import { readWav } from '../lib/audio/wav';
import { AUDIO_MIME, audioBundle } from '../lib/display/audio';
import { alignmentFigure, spectrogramFigure, waveformFigure } from '../lib/display/audioCharts';
import { exportAudio } from '../scripts/runner/audio';
import { indexHtml, IndexEntry } from '../scripts/runner/indexPage';
import type { Notebook } from '../scripts/runner/nbformat';

const tone = (n: number, sr: number, f = 440, a = 0.5): Float32Array =>
  Float32Array.from({ length: n }, (_, i) => a * Math.sin((2 * Math.PI * f * i) / sr));
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'audio-display-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('audioBundle (showAudio)', () => {
  it('carries the WAV as base64 audio/wav, an offline <audio controls> data: URI player and a text summary', () => {
    const x = tone(8000, 16000);
    const b = audioBundle(x, 16000, { title: 'a <tone>' });
    const wav = Buffer.from(b[AUDIO_MIME] as string, 'base64');
    const back = readWav(wav);
    expect(back.sampleRate).toBe(16000);
    expect(back.samples.length).toBe(8000);
    expect(Math.max(...back.samples.map((v, i) => Math.abs(v - x[i])))).toBeLessThanOrEqual(2 ** -16);
    expect(b['text/html']).toContain(`<audio controls src="data:audio/wav;base64,${b[AUDIO_MIME]}"></audio>`);
    expect(b['text/html']).toContain('a &lt;tone&gt;');
    expect(b['text/plain']).toBe("Audio 'a <tone>' — 0.50 s at 16000 Hz, peak 0.50");
  });
  it('normalises the peak to 0.9 on request and rejects bad input', () => {
    const b = audioBundle(tone(800, 8000, 440, 3), 8000, { normalize: true });
    const peak = Math.max(...readWav(Buffer.from(b[AUDIO_MIME] as string, 'base64')).samples.map(Math.abs));
    expect(peak).toBeCloseTo(0.9, 3);
    expect(() => audioBundle(new Float32Array(0), 8000)).toThrow(
      /showAudio: argument 'samples' expected at least 1 samples but got 0/,
    );
    expect(() => audioBundle(tone(10, 8000), 8000.5)).toThrow(
      /showAudio: argument 'sampleRate' expected an integer >= 1/,
    );
  });
});

describe('runner audio export', () => {
  it('writes every audio/wav output to clip-<k>.wav in order and links a player from index.html', () => {
    const clips = [
      audioBundle(tone(400, 8000), 8000, { title: 'first' }),
      audioBundle(tone(800, 8000, 220), 8000, { title: 'second' }),
    ];
    const nb: Notebook = {
      nbformat: 4,
      nbformat_minor: 5,
      metadata: {},
      cells: [
        {
          cell_type: 'code',
          source: '',
          metadata: {},
          outputs: [
            { output_type: 'display_data', data: clips[0], metadata: {} },
            { output_type: 'stream', name: 'stdout', text: 'x' },
          ],
        },
        {
          cell_type: 'code',
          source: '',
          metadata: {},
          outputs: [{ output_type: 'display_data', data: { 'text/plain': 'no audio' }, metadata: {} }],
        },
        {
          cell_type: 'code',
          source: '',
          metadata: {},
          outputs: [{ output_type: 'display_data', data: clips[1], metadata: {} }],
        },
      ],
    };
    const dir = path.join(tmp, 'out', 'audio', 'nb');
    const files = exportAudio(nb, 'nb', dir);
    expect(files.map((f) => [f.k, path.basename(f.wav), f.label])).toEqual([
      [1, 'clip-1.wav', clips[0]['text/plain']],
      [2, 'clip-2.wav', clips[1]['text/plain']],
    ]);
    expect(readWav(files[1].wav).samples.length).toBe(800);
    const entry: IndexEntry = {
      stem: 'nb',
      status: 'ok',
      cells: '3/3',
      seconds: 1,
      mode: 'quick',
      finishedAt: 'now',
      notebook: 'notebooks/nb.ipynb',
      figures: [],
      audio: files.map((f) => ({ k: f.k, label: f.label, wav: path.relative(path.join(tmp, 'out'), f.wav) })),
    };
    const html = indexHtml([entry]);
    expect(html).toContain('<audio controls preload="none" src="audio/nb/clip-2.wav"></audio>');
    expect(html).toContain('2 audio clips');
    // Entries recorded before audio export (no `audio` field) still render.
    expect(indexHtml([{ ...entry, audio: undefined }])).not.toContain('<audio');
    // A notebook without clips leaves no directory behind.
    expect(exportAudio({ ...nb, cells: [] }, 'nb', dir)).toEqual([]);
    expect(fs.existsSync(dir)).toBe(false);
  });
});

describe('audio figures', () => {
  it('waveformFigure: seconds on x, the min/max envelope when long', () => {
    const short = waveformFigure(tone(100, 1000), 1000);
    expect((short.data[0].x as number[])[50]).toBe(0.05);
    const long = waveformFigure(tone(100000, 16000), 16000, { maxPoints: 200 });
    const y = long.data[0].y as number[];
    expect(y.length).toBe(200);
    expect(Math.max(...y)).toBeCloseTo(0.5, 3);
    expect(Math.min(...y)).toBeCloseTo(-0.5, 3);
  });
  it('spectrogramFigure: frames in seconds, linear bins or mel centres in Hz, z as [frequency][time]', () => {
    const x = tone(16000, 16000, 1000);
    const L = logMel(x, { sampleRate: 16000, nFft: 512, hop: 160, nMels: 40 });
    const centres = melEdges({ nMels: 40, fMin: 0, fMax: 8000 }).slice(1, -1);
    const fig = spectrogramFigure(L, { sampleRate: 16000, hop: 160, frequencies: centres, title: 'log-mel' });
    const trace = fig.data[0] as { x: number[]; y: number[]; z: number[][] };
    expect(trace.x[10]).toBe(0.1);
    expect(trace.z.length).toBe(40);
    expect(trace.z[0].length).toBe(L.rows);
    // The loudest band of a 1 kHz tone is the one centred nearest 1 kHz.
    const mid = trace.z.map((row) => row[50]);
    expect(Math.abs(trace.y[mid.indexOf(Math.max(...mid))] - 1000)).toBeLessThan(100);
    const lin = spectrogramFigure({ data: new Float32Array(3 * 5), rows: 3, cols: 5 }, { sampleRate: 8000, hop: 80 });
    expect((lin.data[0] as { y: number[] }).y).toEqual([0, 1000, 2000, 3000, 4000]);
    expect(() => spectrogramFigure(L, { sampleRate: 16000, hop: 160, frequencies: [1, 2] })).toThrow(
      /spectrogramFigure: argument 'frequencies' expected length 40/,
    );
  });
  it('alignmentFigure: decoder steps on x, one row per character even when repeated', () => {
    const w = [
      [0.9, 0.1, 0, 0],
      [0.1, 0.8, 0.1, 0],
      [0, 0.1, 0.8, 0.1],
    ];
    const fig = alignmentFigure(w, { characters: 'too ' });
    const trace = fig.data[0] as { x: number[]; y: number[]; z: number[][] };
    expect(trace.x).toEqual([0, 1, 2]);
    expect(trace.z).toEqual([
      [0.9, 0.1, 0],
      [0.1, 0.8, 0.1],
      [0, 0.1, 0.8],
      [0, 0, 0.1],
    ]);
    expect((fig.layout as { yaxis: { ticktext: string[] } }).yaxis.ticktext).toEqual(['t', 'o', 'o', '␣']);
    expect((fig.layout as { xaxis: { dtick: number } }).xaxis.dtick).toBe(1);
    expect(() => alignmentFigure(w, { characters: 'to' })).toThrow(
      /alignmentFigure: argument 'characters' expected 4 characters/,
    );
    // A posteriogram: frames every 10 ms on a time axis.
    const post = alignmentFigure(w, { characters: ['∅', 'a', 'b', 'c'], stepSeconds: 0.01, yTitle: 'symbol' });
    expect((post.data[0] as { x: number[] }).x).toEqual([0, 0.01, 0.02]);
    expect((post.layout as { xaxis: { title: { text: string } } }).xaxis.title.text).toBe('time (s)');
    expect(() => alignmentFigure(w, { characters: 'too ', stepSeconds: 0 })).toThrow(
      /alignmentFigure: argument 'stepSeconds' expected a finite number > 0/,
    );
  });
});
