/**
 * The scripts' command lines (scripts/cliArgs.ts over util.parseArgs) and the trainers' options:
 * defaults as before, and errors that name the script, the flag, what it expects and what was given.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { parseCommandLine, parseNumber, UsageError } from '../scripts/cliArgs';
import { projectRoot } from '../lib/core/projectRoot';
import { initialTrainingLog, initialWeightsRecord } from '../scripts/train/initialWeights';
import { parseListenerArgs } from '../scripts/train/listener';
import { parsePretrainArgs } from '../scripts/train/multimodal';
import { parseCaptioningArgs } from '../scripts/train/captioning';
import { parseCaptioningCnnArgs } from '../scripts/train/captioningCnn';
import { parseTacotronStudentArgs } from '../scripts/train/tacotronStudent';
import { parseTacotronTeacherArgs } from '../scripts/train/tacotronTeacher';

/** The trainers resolve their default output against the project root as seen from dist/scripts/train. */
const endsWith = (tail: string): unknown => expect.stringMatching(new RegExp(`/${tail}$`));

const demo = (argv: string[], allowPositionals = false) =>
  parseCommandLine(
    'demo',
    argv,
    {
      steps: { type: 'number', rule: 'positive-integer', default: 7 },
      lr: { type: 'number', rule: 'positive' },
      out: { type: 'string', default: 'out', expects: 'a directory' },
      quick: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    { allowPositionals },
  );

/** The UsageError `fn` throws (fails the test when it throws nothing or something else). */
function usageError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('expected a UsageError');
}

describe('parseCommandLine', () => {
  it('applies defaults, converts numbers and accepts --flag=value, short flags and positionals', () => {
    expect(demo([])).toEqual({
      values: { steps: 7, lr: undefined, out: 'out', quick: false, help: false },
      positionals: [],
    });
    expect(demo(['a', '--steps', '3', '--lr=2e-3', '--quick', '-h', 'b', '--out', 'x'], true)).toEqual({
      values: { steps: 3, lr: 0.002, out: 'x', quick: true, help: true },
      positionals: ['a', 'b'],
    });
  });

  it('rejects an unknown flag, naming the script, the flag and the flags it accepts', () => {
    expect(usageError(() => demo(['--bogus']))).toBe(
      "demo: unknown flag '--bogus' (expected one of: --steps, --lr, --out, --quick, -h/--help)",
    );
    expect(usageError(() => demo(['-x']))).toMatch(/^demo: unknown flag '-x' \(expected one of: /);
  });

  it('rejects a missing value, naming what the flag expects', () => {
    expect(usageError(() => demo(['--steps']))).toBe('demo: --steps expects a whole number >= 1, got nothing');
    expect(usageError(() => demo(['--quick', '--out']))).toBe('demo: --out expects a directory, got nothing');
    expect(usageError(() => demo(['--steps', '--quick']))).toBe(
      "demo: --steps expects a whole number >= 1, got '--quick', which looks like a flag " +
        '(write --steps=--quick if it is the value)',
    );
  });

  it('rejects a non-numeric or out-of-rule number, naming the flag, the rule and the value', () => {
    expect(usageError(() => demo(['--steps', 'abc']))).toBe("demo: --steps expects a whole number >= 1, got 'abc'");
    expect(usageError(() => demo(['--steps=0']))).toBe("demo: --steps expects a whole number >= 1, got '0'");
    expect(usageError(() => demo(['--steps', '2.5']))).toBe("demo: --steps expects a whole number >= 1, got '2.5'");
    expect(usageError(() => demo(['--lr', '']))).toBe("demo: --lr expects a positive number, got ''");
    expect(usageError(() => demo(['--lr=-1']))).toBe("demo: --lr expects a positive number, got '-1'");
  });

  it('rejects a value given to a boolean flag and positionals where none are taken', () => {
    expect(usageError(() => demo(['--quick=yes']))).toBe("demo: --quick takes no value, got 'yes'");
    expect(usageError(() => demo(['stray']))).toMatch(/^demo: unexpected argument 'stray' \(expected no positional/);
    expect(usageError(() => parseCommandLine('none', ['--x'], {}, { allowPositionals: true }))).toBe(
      "none: unknown flag '--x' (expected no flags)",
    );
  });
});

describe('parseNumber', () => {
  it('checks each rule', () => {
    expect(parseNumber('s', '--n', '-2.5', 'number')).toBe(-2.5);
    expect(parseNumber('s', '--n', '-3', 'integer')).toBe(-3);
    expect(parseNumber('s', '--n', '0', 'non-negative-integer')).toBe(0);
    expect(parseNumber('s', '--n', '0.1', 'positive')).toBe(0.1);
    expect(() => parseNumber('s', '--n', '1.5', 'integer')).toThrow("s: --n expects a whole number, got '1.5'");
    expect(() => parseNumber('s', '--n', '-1', 'non-negative-integer')).toThrow('a whole number >= 0');
    expect(() => parseNumber('s', '--n', 'Infinity', 'number')).toThrow("s: --n expects a number, got 'Infinity'");
    expect(() => parseNumber('s', 'ENV', 'x', 'positive', 'seconds')).toThrow("s: ENV expects seconds, got 'x'");
  });
});

describe('trainer command lines', () => {
  it('listener: the documented defaults, --quick defaults and the given flags', () => {
    expect(parseListenerArgs([])).toEqual({
      steps: 6000,
      minutes: Infinity,
      resume: false,
      state: endsWith('out/train-state/listener'),
      lr0: 1.26e-3,
      stride: 2,
      hidden: 176,
      layers: 2,
      batch: 32,
      augment: true,
      evalEvery: 200,
      patience: 8,
      seed: 1,
      extraPerSpeaker: 600,
      singleRepeat: 4,
      init: null,
      threads: 1,
      quick: false,
      out: endsWith('checkpoints/listener'),
      help: false,
    });
    expect(
      parseListenerArgs([
        '--extra-per-speaker',
        '600',
        '--init',
        'checkpoints/listener',
        '--threads',
        '2',
        '--single-repeat',
        '3',
      ]),
    ).toMatchObject({
      singleRepeat: 3,
      threads: 2,
      extraPerSpeaker: 600,
      init: path.resolve('checkpoints/listener'),
    });
    expect(parseListenerArgs(['--quick'])).toMatchObject({ extraPerSpeaker: 0 });
    expect(() => parseListenerArgs(['--extra-per-speaker', '-1'])).toThrow(
      "train listener: --extra-per-speaker expects a whole number >= 0, got '-1'",
    );
    // --init records the starting checkpoint's whole training record, so runs chain back to the first.
    const start = fs.mkdtempSync(path.join(os.tmpdir(), 'bp-init-'));
    const training = { command: 'npm run train -- listener', steps: 6, initialWeights: { training: { steps: 3 } } };
    fs.writeFileSync(path.join(start, 'manifest.json'), JSON.stringify({ manifestSha256: 'abc', training }));
    expect(initialWeightsRecord(start)).toEqual({
      dir: path.relative(projectRoot(), start),
      manifestSha256: 'abc',
      training,
    });
    expect(initialTrainingLog(start)).toBe('');
    fs.writeFileSync(path.join(start, 'training-log.txt'), 'step 200: ...\n\n');
    expect(initialTrainingLog(start)).toBe(
      `# the run that made ${path.relative(projectRoot(), start)} (this run's --init):\nstep 200: ...\n# this run:\n`,
    );
    expect(parseListenerArgs(['--quick'])).toMatchObject({
      steps: 6,
      batch: 8,
      evalEvery: 3,
      state: endsWith('out/train-state/listener-quick'),
      out: endsWith('out/checkpoints/listener-quick'),
    });
    const args = ['--steps', '900', '--minutes', '1.5', '--lr0', '1e-4', '--resume', '--state', 'st', '--no-augment'];
    expect(parseListenerArgs([...args, '--seed', '3', '--stride', '3', '--layers', '3'])).toMatchObject({
      steps: 900,
      minutes: 1.5,
      lr0: 1e-4,
      resume: true,
      state: path.resolve('st'),
      augment: false,
      seed: 3,
      stride: 3,
      layers: 3,
    });
  });

  it('listener: an unknown flag, a missing value and a non-numeric number are named errors', () => {
    expect(() => parseListenerArgs(['--lr', '1'])).toThrow(
      /^train listener: unknown flag '--lr' \(expected one of: --steps/,
    );
    expect(() => parseListenerArgs(['--state'])).toThrow('train listener: --state expects a directory, got nothing');
    expect(() => parseListenerArgs(['--lr0', 'fast'])).toThrow(
      "train listener: --lr0 expects a positive number, got 'fast'",
    );
  });

  it('tacotron-teacher: defaults, --quick defaults, --state and --resume', () => {
    expect(parseTacotronTeacherArgs([])).toMatchObject({
      steps: 30000,
      minutes: Infinity,
      batch: 16,
      maxFrames: Infinity,
      seed: 1,
      evalEvery: 500,
      lr0: 1e-3,
      symbols: 'phones',
      resume: false,
      quick: false,
      out: endsWith('checkpoints/tacotron-teacher'),
      state: endsWith(path.join('out', 'train-state', 'tacotron-teacher')),
    });
    expect(parseTacotronTeacherArgs(['--quick'])).toMatchObject({
      steps: 4,
      batch: 4,
      maxFrames: 100,
      evalEvery: 2,
      state: endsWith('tacotron-teacher-quick'),
    });
    const argv = ['--resume', '--state', 'st', '--lr0', '1e-4', '--steps', '800'];
    expect(parseTacotronTeacherArgs(argv)).toMatchObject({
      resume: true,
      state: path.resolve('st'),
      lr0: 1e-4,
      steps: 800,
    });
    expect(() => parseTacotronTeacherArgs(['--batch', 'x'])).toThrow(
      "train tacotron-teacher: --batch expects a whole number >= 1, got 'x'",
    );
    expect(() => parseTacotronTeacherArgs(['--max-frames'])).toThrow(
      '--max-frames expects a whole number >= 1, got nothing',
    );
    expect(parseTacotronTeacherArgs(['--symbols', 'characters'])).toMatchObject({ symbols: 'characters' });
    expect(parseTacotronTeacherArgs([])).toMatchObject({ extra: 0, init: null });
    expect(parseTacotronTeacherArgs(['--extra', '4000', '--init', 'ck'])).toMatchObject({
      extra: 4000,
      init: path.resolve('ck'),
    });
    expect(() => parseTacotronTeacherArgs(['--extra', '-1'])).toThrow("--extra expects a whole number >= 0, got '-1'");
    expect(() => parseTacotronTeacherArgs(['--symbols', 'words'])).toThrow(
      "--symbols expects phones or characters, got 'words'",
    );
  });

  it('captioning-cnn: defaults and --quick', () => {
    expect(parseCaptioningCnnArgs([])).toMatchObject({
      epochs: 3,
      lr0: 3e-3,
      images: 60000,
      seed: 1,
      out: endsWith(path.join('checkpoints', 'captioning-cnn')),
    });
    expect(parseCaptioningCnnArgs(['--quick'])).toMatchObject({
      epochs: 1,
      images: 2000,
      out: endsWith(path.join('out', 'checkpoints', 'captioning-cnn-quick')),
    });
    expect(() => parseCaptioningCnnArgs(['--epochs', '0'])).toThrow(
      "train captioning-cnn: --epochs expects a whole number >= 1, got '0'",
    );
    expect(parseCaptioningCnnArgs([])).toMatchObject({ extraColours: 0 });
    expect(parseCaptioningCnnArgs(['--extra-colours', '0.25'])).toMatchObject({ extraColours: 0.25 });
    expect(() => parseCaptioningCnnArgs(['--extra-colours', '1'])).toThrow(
      '--extra-colours expects a fraction in [0, 1)',
    );
    expect(parseCaptioningCnnArgs([])).toMatchObject({
      widths: [32, 64, 64],
      finalPool: 'max',
      chunk: 20000,
      minutes: Infinity,
      resume: false,
      state: endsWith(path.join('out', 'train-state', 'captioning-cnn')),
    });
    expect(parseCaptioningCnnArgs(['--widths', '8,0,16', '--final-pool', 'average'])).toMatchObject({
      widths: [8, 0, 16],
      finalPool: 'average',
    });
    expect(() => parseCaptioningCnnArgs(['--widths', '8,16'])).toThrow(
      'train captioning-cnn: --widths expects three integers C1,C2,C (C1, C ≥ 1, C2 ≥ 0), got 8,16',
    );
    expect(() => parseCaptioningCnnArgs(['--final-pool', 'min'])).toThrow(
      'train captioning-cnn: --final-pool expects average or max, got min',
    );
  });

  it('captioning: lists of decoders and seeds, defaults and --quick', () => {
    expect(parseCaptioningArgs([])).toMatchObject({
      decoders: ['rnn', 'lstm', 'attention'],
      seeds: [1, 2, 3],
      maxEpochs: 40,
      patience: 4,
      lrDecay: 0.85,
      hidden: 128,
      extraScenes: 20000,
      out: endsWith('checkpoints'),
    });
    expect(parseCaptioningArgs(['--quick', '--decoders', 'attention'])).toMatchObject({
      decoders: ['attention'],
      seeds: [1],
      maxEpochs: 2,
      extraScenes: 200,
      out: endsWith(path.join('out', 'checkpoints')),
    });
    expect(() => parseCaptioningArgs(['--decoders', 'cnn'])).toThrow(
      "train captioning: --decoders expects rnn, lstm and/or attention, got 'cnn'",
    );
    expect(() => parseCaptioningArgs(['--seeds', '1,x'])).toThrow(
      "--seeds expects comma-separated integers, got '1,x'",
    );
    expect(() => parseCaptioningArgs(['--lr-decay', '2'])).toThrow('--lr-decay expects at most 1');
  });

  it('tacotron-student: --system is required, short names map to systems, defaults and --quick', () => {
    expect(parseTacotronStudentArgs(['--system', 'KD'])).toMatchObject({
      system: 'Tacotron2-KD',
      seed: 1,
      steps: 1000,
      batch: 16,
      lambda: 1,
      guidedAttention: 0,
      evalEvery: 250,
      maxFrames: Infinity,
      teacher: endsWith(path.join('checkpoints', 'tacotron-teacher')),
      out: endsWith(path.join('checkpoints', 'tacotron-student-KD-seed1')),
      state: endsWith(path.join('out', 'train-state', 'tacotron-student-KD-seed1')),
    });
    expect(parseTacotronStudentArgs(['--system', 'TF', '--seed', '3', '--quick'])).toMatchObject({
      system: 'Teacher+TF',
      steps: 4,
      batch: 4,
      out: endsWith(path.join('out', 'checkpoints', 'tacotron-student-TF-seed3-quick')),
    });
    expect(() => parseTacotronStudentArgs([])).toThrow(
      'train tacotron-student: --system expects SS, FR, KD or TF, got nothing',
    );
    expect(() => parseTacotronStudentArgs(['--system', 'XX'])).toThrow('--system expects SS, FR, KD or TF, got XX');
    expect(() => parseTacotronStudentArgs(['--system', 'FR', '--guided-attention=-1'])).toThrow(
      "--guided-attention expects a number >= 0, got '-1'",
    );
    expect(parseTacotronStudentArgs(['--help']).help).toBe(true);
  });

  it('pre-training: defaults, and the recorded command names only the flags given', () => {
    expect(parsePretrainArgs('multimodal-asr', [])).toMatchObject({
      steps: 1200,
      seed: 1,
      quick: false,
      command: 'npm run train -- multimodal-asr',
    });
    expect(parsePretrainArgs('multimodal-asr', ['--steps', '600', '--quick'])).toMatchObject({
      steps: 600,
      command: 'npm run train -- multimodal-asr --steps 600 --quick',
    });
    expect(() => parsePretrainArgs('multimodal-asr', ['--steps', 'many'])).toThrow(
      "train multimodal-asr: --steps expects a whole number >= 1, got 'many'",
    );
  });
});
