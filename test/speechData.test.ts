/**
 * Speech corpora: text normalisation and alphabets; the shipped speech-single and
 * speech-speakers load with the shapes and labels their manifests promise, their features
 * equal lib/audio's on the shipped audio (within the quantisation step), their splits are
 * sentence- and speaker-disjoint as documented; damaged copies fail with a DatasetError
 * naming the file (missing, truncated, corrupt, wrong format).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as zlib from 'zlib';
import { describe, expect, it } from 'vitest';
import { logFilterbankEnergies } from '../lib/audio/fbank';
import { logMel } from '../lib/audio/logMel';
import { DatasetError } from '../lib/data/datasetError';
import { datasetDir, readManifest } from '../lib/data/datasetFiles';
import { loadSpeechWav } from '../lib/data/speechCorpus';
import { loadSpeechSingle } from '../lib/data/speechSingle';
import { loadSpeechSpeakers } from '../lib/data/speechSpeakers';
import {
  idsToText,
  normaliseSpeechText,
  numberToWords,
  ordinalToWords,
  speechAlphabet,
  stripPunctuation,
  textToIds,
} from '../lib/data/speechText';
import { makeSingleExtraPlan } from '../scripts/datasets/speechPlan';
import { TEXT_COPYRIGHT_FILE } from '../scripts/datasets/speechSentences';
import { copyDataset, replaceListed } from './helpers';

describe('speech text', () => {
  it('spells numbers in British cardinal and ordinal words', () => {
    expect(numberToWords(0)).toBe('zero');
    expect(numberToWords(45)).toBe('forty five');
    expect(numberToWords(101)).toBe('one hundred and one');
    expect(numberToWords(1811)).toBe('one thousand eight hundred and eleven');
    expect(numberToWords(10000)).toBe('ten thousand');
    expect(numberToWords(2000005)).toBe('two million and five');
    expect(ordinalToWords(21)).toBe('twenty first');
    expect(ordinalToWords(12)).toBe('twelfth');
    expect(ordinalToWords(40)).toBe('fortieth');
    expect(() => numberToWords(-1)).toThrow(/numberToWords: argument 'n'/);
  });

  it('normalises raw English to the punctuated alphabet', () => {
    expect(normaliseSpeechText('"My dear Mr. Bennet," said his lady; "have you heard?"')).toBe(
      'my dear mister bennet, said his lady, have you heard?',
    );
    expect(normaliseSpeechText("Mrs. Long has 10,000 pounds -- and the 2nd daughter's _éclat_!")).toBe(
      "missus long has ten thousand pounds, and the second daughter's eclat!",
    );
    expect(normaliseSpeechText("'Tis a well-bred man (indeed) . . .")).toBe('tis a well bred man indeed.');
    for (const raw of ['It was 4 o\u2019clock\u2014late.', 'Catherine & her brother: 1798!']) {
      const text = normaliseSpeechText(raw);
      expect(() => textToIds(text, 'punctuated')).not.toThrow();
    }
  });

  it('maps text to ids and back in both alphabets, id 0 reserved', () => {
    expect(speechAlphabet('characters')).toHaveLength(29);
    expect(speechAlphabet('punctuated')).toHaveLength(33);
    const text = "well, don't you see?";
    expect(idsToText(textToIds(text, 'punctuated'), 'punctuated')).toBe(text);
    expect(idsToText(textToIds(text))).toBe(stripPunctuation(text));
    expect(stripPunctuation(text)).toBe("well don't you see");
    expect(textToIds('ab')).toEqual([3, 4]);
    expect(idsToText([0, 3, 0, 4])).toBe('ab');
    expect(() => textToIds('Hello')).toThrow(/textToIds: argument 'text' has "H" at position 0/);
    expect(() => idsToText([29])).toThrow(/idsToText: id 0 is 29/);
  });
});

describe('speech-single', () => {
  it('loads log-mels [T, 80] matching the durations, with the documented splits and hard set', () => {
    const manifest = readManifest(datasetDir('speech-single'));
    const counts = manifest.counts;
    const { utterances, features } = loadSpeechSingle({ split: 'test', limit: 5 });
    expect(utterances).toHaveLength(5);
    expect(features.dims).toBe(80);
    for (const u of utterances) {
      expect(u.mel.cols).toBe(80);
      // Centred frames: T = 1 + floor(n / hop).
      expect(u.mel.rows).toBe(1 + Math.floor(Math.round(u.seconds * 16000) / 256));
      expect(u.mel.data.every(Number.isFinite)).toBe(true);
      expect(textToIds(u.text, 'punctuated').length).toBe(u.text.length);
    }
    const hard = loadSpeechSingle({ split: 'hard' }).utterances;
    expect(hard).toHaveLength(counts.hard);
    expect(
      hard
        .filter((u) => u.category === 'letter')
        .map((u) => u.text)
        .join(''),
    ).toBe('abcdefghijklmnopqrstuvwxyz');
    const long = loadSpeechSingle({ split: 'hard', category: 'long' }).utterances;
    expect(long).toHaveLength(30);
    expect(Math.min(...long.map((u) => u.text.length))).toBeGreaterThan(100);
    expect(loadSpeechSingle({ split: 'train', limit: 3 }).utterances).toHaveLength(3);
  });

  it('keeps val, test and hard sentences out of training (both corpora)', () => {
    const train = new Set(loadSpeechSingle({ split: 'train' }).utterances.map((u) => u.text));
    const speakersTrain = new Set(loadSpeechSpeakers({ split: 'train' }).utterances.map((u) => u.text));
    for (const split of ['val', 'test', 'hard'] as const) {
      for (const u of loadSpeechSingle({ split }).utterances) {
        expect(train.has(u.text)).toBe(false);
        expect(speakersTrain.has(u.text)).toBe(false);
      }
    }
    expect(Math.max(...[...train].map((t) => t.length))).toBeLessThanOrEqual(100);
  });

  it('stores what logMel computes on the shipped audio, within half a quantisation step', () => {
    const { utterances, features } = loadSpeechSingle({ split: 'test', limit: 1 });
    const u = utterances[0];
    expect(u.wav).toBe(`${u.id}.wav`);
    const audio = loadSpeechWav('speech-single', u.wav!);
    expect(audio.sampleRate).toBe(16000);
    const mel = logMel(audio.samples, features.options as unknown as Parameters<typeof logMel>[1]);
    expect([mel.rows, mel.cols]).toEqual([u.mel.rows, u.mel.cols]);
    const q = features.quantisation;
    let worst = 0;
    for (let i = 0; i < mel.data.length; i++) {
      const clippedLow = mel.data[i] < q.offset;
      if (!clippedLow) worst = Math.max(worst, Math.abs(mel.data[i] - u.mel.data[i]));
    }
    expect(worst).toBeLessThanOrEqual(q.step / 2 + 1e-4);
  });

  it('fails with a DatasetError naming the file: missing, truncated, corrupt, wrong format', () => {
    const dir = copyDataset('speech-single');
    const file = path.join(dir, 'features.idx2-ubyte.gz');
    const good = fs.readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[good.length >> 1] ^= 0xff;
    fs.writeFileSync(file, flipped);
    expect(() => loadSpeechSingle({ split: 'val', dir })).toThrow(DatasetError);
    expect(() => loadSpeechSingle({ split: 'val', dir })).toThrow(/features\.idx2-ubyte\.gz: checksum mismatch/);
    fs.writeFileSync(file, good.subarray(0, good.length - 100));
    expect(() => loadSpeechSingle({ split: 'val', dir })).toThrow(/features\.idx2-ubyte\.gz: truncated/);
    fs.rmSync(file);
    expect(() => loadSpeechSingle({ split: 'val', dir })).toThrow(/features\.idx2-ubyte\.gz: missing file/);
    fs.writeFileSync(file, good);
    expect(loadSpeechSingle({ split: 'val', dir, limit: 1 }).utterances).toHaveLength(1);

    // Consistent checksums, wrong content: the format checks catch it.
    const records = path.join(dir, 'utterances.json.gz');
    const goodRecords = fs.readFileSync(records);
    const parsed = JSON.parse(zlib.gunzipSync(goodRecords).toString('utf8'));
    parsed.splits.val[3].frames += 1;
    replaceListed(dir, 'utterances.json.gz', zlib.gzipSync(Buffer.from(JSON.stringify(parsed))));
    expect(() => loadSpeechSingle({ split: 'val', dir })).toThrow(
      /utterances\.json\.gz: wrong format: split 'val' record 4/,
    );
    replaceListed(dir, 'utterances.json.gz', goodRecords);
    replaceListed(dir, 'features.idx2-ubyte.gz', zlib.gzipSync(Buffer.from('not an idx file')));
    expect(() => loadSpeechSingle({ split: 'val', dir })).toThrow(/features\.idx2-ubyte\.gz: wrong format/);

    fs.rmSync(path.join(dir, 'manifest.json'));
    expect(() => loadSpeechSingle({ split: 'val', dir })).toThrow(/manifest\.json: missing manifest/);
  });

  it('checks the shipped WAVs and the arguments', () => {
    const dir = copyDataset('speech-single');
    const name = readManifest(dir).files.find((f) => f.format === 'wav')!.name;
    const good = fs.readFileSync(path.join(dir, name));
    fs.writeFileSync(path.join(dir, name), good.subarray(0, 1000));
    expect(() => loadSpeechWav('speech-single', name, dir)).toThrow(
      new RegExp(`${name.replace(/[.+]/g, '\\$&')}: truncated`),
    );
    replaceListed(dir, name, good.subarray(0, 30));
    expect(() => loadSpeechWav('speech-single', name, dir)).toThrow(/wrong format/);
    expect(() => loadSpeechWav('speech-single', 'nope.wav', dir)).toThrow(/nope\.wav: not a WAV file of speech-single/);
    expect(() => loadSpeechSingle({ split: 'dev' as never })).toThrow(
      /loadSpeechSingle: split must be one of train, val, test, hard/,
    );
    expect(() => loadSpeechSingle({ split: 'test', category: 'long' })).toThrow(
      /loadSpeechSingle: category applies to split 'hard'/,
    );
    expect(() => loadSpeechSingle({ split: 'test', limit: 0 })).toThrow(/argument 'limit'/);
  });
});

describe('speech-speakers', () => {
  it('loads log filterbank energies [T, 40] at 100 frames/s with speaker, engine and perturbation labels', () => {
    const { utterances, speakers, features } = loadSpeechSpeakers({ split: 'train', limit: 200 });
    expect(features.dims).toBe(40);
    expect(features.framesPerSecond).toBe(100);
    expect(speakers.length).toBeGreaterThanOrEqual(20);
    expect(new Set(speakers.map((s) => s.engine))).toEqual(new Set(['flite', 'festival', 'espeak-ng']));
    for (const u of utterances) {
      expect(u.lfbe.cols).toBe(40);
      // Kaldi framing (snip edges): T = 1 + floor((n − 400) / 160).
      expect(u.lfbe.rows).toBe(1 + Math.floor((Math.round(u.seconds * 16000) - 400) / 160));
      expect(speakers[u.speakerIndex].id).toBe(u.speaker);
      expect(speakers[u.speakerIndex].heldOut).toBe(false);
      expect(u.engine).toBe(speakers[u.speakerIndex].engine);
    }
    const perturbed = loadSpeechSpeakers({ split: 'train' }).utterances.filter((u) => u.perturbation !== '');
    expect(perturbed.length).toBeGreaterThan(0);
    expect(new Set(perturbed.map((u) => u.perturbation))).toEqual(
      new Set(['speed 0.9', 'speed 1.1', 'pitch -300', 'pitch 300']),
    );
    expect(
      loadSpeechSpeakers({ split: 'train', perturbed: false }).utterances.every((u) => u.perturbation === ''),
    ).toBe(true);
    const slt = loadSpeechSpeakers({ split: 'val', speakers: ['flite-slt'] }).utterances;
    expect(slt.length).toBeGreaterThan(0);
    expect(slt.every((u) => u.speaker === 'flite-slt' && u.engine === 'flite')).toBe(true);
  });

  it('has speaker-disjoint and sentence-disjoint test splits', () => {
    const train = loadSpeechSpeakers({ split: 'train' });
    const trainTexts = new Set(train.utterances.map((u) => u.text));
    const trainSpeakers = new Set(train.utterances.map((u) => u.speaker));
    const heldOut = train.speakers.filter((s) => s.heldOut).map((s) => s.id);
    expect(heldOut.length).toBeGreaterThan(0);
    for (const split of ['val', 'test'] as const) {
      for (const u of loadSpeechSpeakers({ split }).utterances) {
        expect(trainTexts.has(u.text)).toBe(false);
        expect(trainSpeakers.has(u.speaker)).toBe(true);
      }
    }
    const unseen = loadSpeechSpeakers({ split: 'test-speakers' }).utterances;
    expect(new Set(unseen.map((u) => u.speaker))).toEqual(new Set(heldOut));
    for (const u of unseen) {
      expect(trainSpeakers.has(u.speaker)).toBe(false);
      expect(trainTexts.has(u.text)).toBe(false);
    }
  });

  it('stores what logFilterbankEnergies computes on the shipped audio, within half a quantisation step', () => {
    const dir = datasetDir('speech-speakers');
    const name = readManifest(dir).files.find((f) => f.format === 'wav')!.name;
    const u = loadSpeechSpeakers({ split: 'test' }).utterances.find((x) => `${x.id}.wav` === name)!;
    const { features } = loadSpeechSpeakers({ split: 'test', limit: 1 });
    const audio = loadSpeechWav('speech-speakers', name);
    const lfbe = logFilterbankEnergies(audio.samples, 16000, features.options);
    expect([lfbe.rows, lfbe.cols]).toEqual([u.lfbe.rows, 40]);
    const q = features.quantisation;
    let worst = 0;
    for (let i = 0; i < lfbe.data.length; i++)
      if (lfbe.data[i] >= q.offset) worst = Math.max(worst, Math.abs(lfbe.data[i] - u.lfbe.data[i]));
    expect(worst).toBeLessThanOrEqual(q.step / 2 + 1e-4);
  });

  it('fails with a DatasetError on a corrupt file or speaker records; validates arguments', () => {
    const dir = copyDataset('speech-speakers');
    const records = path.join(dir, 'utterances.json.gz');
    const good = fs.readFileSync(records);
    const bad = Buffer.from(good);
    bad[20] ^= 0x55;
    fs.writeFileSync(records, bad);
    expect(() => loadSpeechSpeakers({ split: 'val', dir })).toThrow(/utterances\.json\.gz: checksum mismatch/);
    const parsed = JSON.parse(zlib.gunzipSync(good).toString('utf8'));
    parsed.splits.val[0].speaker = 999;
    replaceListed(dir, 'utterances.json.gz', zlib.gzipSync(Buffer.from(JSON.stringify(parsed))));
    expect(() => loadSpeechSpeakers({ split: 'val', dir })).toThrow(
      /utterances\.json\.gz: wrong format: split 'val' record 0 has speaker 999/,
    );
    expect(() => loadSpeechSpeakers({ split: 'test', speakers: ['nobody'] })).toThrow(
      /loadSpeechSpeakers: unknown speaker ids nobody/,
    );
    expect(() => loadSpeechSpeakers({ split: 'eval' as never })).toThrow(
      /loadSpeechSpeakers: split must be one of train, val, test, test-speakers/,
    );
  });
});

const hasJaneAusten = fs.existsSync(TEXT_COPYRIGHT_FILE);

describe.skipIf(!hasJaneAusten)("the extra training corpora's sentence plans (need r-cran-janeaustenr)", () => {
  it("speech-single-extra: the next training sentences, none in any shipped split's", () => {
    const plan = makeSingleExtraPlan(300);
    expect(plan).toHaveLength(300);
    expect(new Set(plan.map((u) => u.id)).size).toBe(300);
    expect(plan.every((u) => u.voice.id === 'flite-slt' && u.perturbation === '')).toBe(true);
    expect(makeSingleExtraPlan(3).map((u) => u.text)).toEqual(plan.slice(0, 3).map((u) => u.text));
    const shipped = new Set([
      ...(['train', 'val', 'test', 'hard'] as const).flatMap((split) =>
        loadSpeechSingle({ split }).utterances.map((u) => u.text),
      ),
      ...(['val', 'test', 'test-speakers'] as const).flatMap((split) =>
        loadSpeechSpeakers({ split }).utterances.map((u) => u.text),
      ),
    ]);
    expect(plan.filter((u) => shipped.has(u.text))).toEqual([]);
    expect(() => makeSingleExtraPlan(0)).toThrow(/makeSingleExtraPlan: count must be a whole number in 1\.\./);
  });
});
