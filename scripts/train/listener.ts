/**
 * `npm run train -- listener`: the automatic listener of the speech notebooks — the CTC
 * recognizer of lib/models/listener/recognizer.ts trained on speech-speakers (every seen voice,
 * train split with its perturbed copies) plus speech-single's train split converted from
 * log-mel to the same features (so it also hears converted mels, which is how it listens to
 * a TTS model's output). Evaluates greedy-decoding CER on speech-speakers `test` (unseen
 * sentences), `test-speakers` (unseen speakers) and speech-single `test` (unseen sentences,
 * converted from log-mel), and writes checkpoints/listener/{weights.bin, manifest.json,
 * training-log.txt}.
 *
 * Options: --steps N (default 450; the learning-rate schedule spans N steps), --stop-at K (stop
 * after step K of that schedule), --minutes M (stop after M minutes even if steps remain; the
 * manifest records the steps done, so `--steps N --stop-at <steps>` repeats such a run exactly),
 * --lr0 (default 2e-3; decays ×0.1 over the N steps), --init-from DIR (continue from a saved
 * listener: its weights, with fresh Adam state, batches from --seed; the manifest keeps the
 * earlier run's record under `initFrom`), --quick (a tiny run through the same code path,
 * written to out/checkpoints/listener-quick unless --out is given), --out DIR, --seed S, --help.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Rng, exponentialDecay, tf } from '../../lib';
import { AudioMatrix } from '../../lib/audio/matrix';
import { loadSpeechSingle } from '../../lib/data/speechSingle';
import { loadSpeechSpeakers } from '../../lib/data/speechSpeakers';
import { speechAlphabet, stripPunctuation, textToIds } from '../../lib/data/speechText';
import { characterErrorRate } from '../../lib/metrics/editDistance';
import { loadListener, saveListener } from '../../lib/models/listener/checkpoint';
import {
  LISTENER_FEATURES,
  listenerFeaturesFromLfbe,
  listenerFeaturesFromLogMel,
} from '../../lib/models/listener/features';
import { SpeechRecognizerConfig, initSpeechRecognizer } from '../../lib/models/listener/recognizer';
import { SpeechUtterance, trainSpeechRecognizer } from '../../lib/models/listener/training';
import { logMelConfigOf, transcribe } from '../../lib/models/listener/transcribe';
import { parseCommandLine } from '../cliArgs';

export const LISTENER_USAGE = `usage: npm run train -- listener [options]
  --steps N         steps of the learning-rate schedule (default 450; 6 with --quick)
  --stop-at K       stop after step K of that schedule
  --minutes M       stop after M minutes even if steps remain
  --lr0 LR          initial learning rate (default 2e-3; decays x0.1 over the N steps)
  --init-from DIR   continue from a saved listener (its weights, fresh Adam state)
  --seed S          seed of initialisation and batches (default 1)
  --quick           a tiny run through the same code path
  --out DIR         checkpoint directory (default checkpoints/listener; out/checkpoints/listener-quick with --quick)`;

export interface ListenerArgs {
  steps: number;
  stopAt: number;
  minutes: number;
  quick: boolean;
  out: string;
  seed: number;
  lr0: number;
  initFrom?: string;
  help: boolean;
}

/** The listener trainer's command line (UsageError on a bad one). */
export function parseListenerArgs(argv: string[]): ListenerArgs {
  const { values } = parseCommandLine('train listener', argv, {
    steps: { type: 'number', rule: 'positive-integer' },
    'stop-at': { type: 'number', rule: 'positive-integer', default: Infinity },
    minutes: { type: 'number', rule: 'positive', default: Infinity },
    seed: { type: 'number', rule: 'integer', default: 1 },
    lr0: { type: 'number', rule: 'positive', default: 2e-3 },
    'init-from': { type: 'string', expects: 'a checkpoint directory' },
    quick: { type: 'boolean' },
    out: { type: 'string', expects: 'a directory' },
    help: { type: 'boolean', short: 'h' },
  });
  const { quick } = values;
  const root = path.resolve(__dirname, '..', '..', '..');
  return {
    quick,
    steps: values.steps ?? (quick ? 6 : 450),
    stopAt: values['stop-at'],
    minutes: values.minutes,
    seed: values.seed,
    lr0: values.lr0,
    initFrom: values['init-from'],
    out: path.resolve(values.out ?? path.join(root, quick ? 'out/checkpoints/listener-quick' : 'checkpoints/listener')),
    help: values.help,
  };
}

export const LISTENER_CONFIG: SpeechRecognizerConfig = {
  featureDim: LISTENER_FEATURES.dims,
  vocabSize: speechAlphabet('characters').length,
  convChannels: 128,
  convKernel: 5,
  subsample: 3,
  hidden: 192,
  lstmLayers: 1,
};

const asUtterance = (f: AudioMatrix, text: string): SpeechUtterance => ({
  features: f.data,
  frames: f.rows,
  labels: textToIds(text, 'characters'),
});

export async function trainListener(args: ListenerArgs): Promise<void> {
  const log: string[] = [];
  const say = (line: string): void => {
    console.log(line);
    log.push(line);
  };
  const limit = args.quick ? 48 : undefined;
  let t0 = Date.now();
  const speakers = loadSpeechSpeakers({ split: 'train', limit });
  const single = loadSpeechSingle({ split: 'train', limit: args.quick ? 16 : undefined });
  const melCfg = logMelConfigOf(single.features);
  const train = [
    ...speakers.utterances.map((u) => asUtterance(listenerFeaturesFromLfbe(u.lfbe), u.text)),
    ...single.utterances.map((u) => asUtterance(listenerFeaturesFromLogMel(u.mel, melCfg), u.text)),
  ];
  const allVal = loadSpeechSpeakers({ split: 'val' }).utterances;
  const val = new Rng(args.seed)
    .permutation(allVal.length)
    .slice(0, args.quick ? 8 : 96)
    .map((i) => allVal[i]);
  const singleVal = loadSpeechSingle({ split: 'val', limit: args.quick ? 4 : 32 }).utterances;
  say(
    `data: ${speakers.utterances.length} speech-speakers + ${single.utterances.length} speech-single ` +
      `(converted) training utterances, features in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
  );
  say(
    `model: ${JSON.stringify(LISTENER_CONFIG)}; steps ${args.steps}, batch 32, ` +
      `Adam lr ${args.lr0} → ${args.lr0 / 10} (exponential), clip 5, seed ${args.seed}`,
  );

  const params = initSpeechRecognizer(LISTENER_CONFIG, args.seed);
  const previous = args.initFrom === undefined ? undefined : loadListener(path.resolve(args.initFrom));
  if (previous) {
    for (const [name, p] of Object.entries(params)) p.assign(previous.params[name]);
    tf.dispose(Object.values(previous.params));
    const before = fs
      .readFileSync(path.join(path.resolve(args.initFrom!), 'training-log.txt'), 'utf8')
      .trimEnd()
      .split('\n');
    log.push(...before.map((l) => `[earlier run] ${l}`));
    say(`continuing from ${args.initFrom} (${(previous.manifest.training as { command?: string }).command})`);
  }
  const nParams = Object.values(params).reduce((s, p) => s + p.size, 0);
  const listener = {
    params,
    manifest: { config: LISTENER_CONFIG, alphabet: speechAlphabet('characters').map((c, i) => (i === 0 ? '' : c)) },
  };
  const cer = (utts: { lfbe: AudioMatrix; text: string }[]): ReturnType<typeof characterErrorRate> =>
    characterErrorRate(
      utts.map((u) => stripPunctuation(u.text)),
      transcribe(
        listener,
        utts.map((u) => listenerFeaturesFromLfbe(u.lfbe)),
      ),
    );
  const singleCer = (utts: { mel: AudioMatrix; text: string }[]): ReturnType<typeof characterErrorRate> =>
    characterErrorRate(
      utts.map((u) => stripPunctuation(u.text)),
      transcribe(
        listener,
        utts.map((u) => listenerFeaturesFromLogMel(u.mel, melCfg)),
      ),
    );
  const evalEvery = args.quick ? 3 : 100;
  const save = (training: Record<string, unknown>): void => {
    saveListener(args.out, params, {
      config: LISTENER_CONFIG,
      alphabet: listener.manifest.alphabet,
      features: LISTENER_FEATURES.description,
      training,
    });
  };
  const lr = exponentialDecay({ lr0: args.lr0, decayRate: 0.1, decaySteps: args.steps });
  let recent: number[] = [];
  t0 = Date.now();
  const { losses, seconds } = trainSpeechRecognizer(params, LISTENER_CONFIG, train, {
    steps: Math.min(args.steps, args.stopAt),
    batchSize: args.quick ? 8 : 32,
    lr,
    maxNorm: 5,
    seed: args.seed,
    progress: 'listener',
    maxSeconds: args.minutes * 60,
    onStep: (step, s) => {
      recent.push(s.loss);
      if ((step + 1) % evalEvery !== 0) return;
      const v = cer(val);
      const sv = singleCer(singleVal);
      const mean = recent.reduce((a, b) => a + b, 0) / recent.length;
      say(
        `step ${step + 1}: loss/char ${mean.toFixed(3)} (last ${recent.length} steps), ` +
          `val CER speech-speakers ${(100 * v.rate).toFixed(1)} %, ` +
          `speech-single ${(100 * sv.rate).toFixed(1)} %, ${((Date.now() - t0) / 60000).toFixed(1)} min`,
      );
      recent = [];
      save({ partial: true, steps: step + 1, valCer: v.rate, singleValCer: sv.rate });
    },
  });

  const test = loadSpeechSpeakers({ split: 'test', limit: args.quick ? 8 : undefined }).utterances;
  const testSpeakers = loadSpeechSpeakers({ split: 'test-speakers', limit: args.quick ? 8 : undefined }).utterances;
  const singleTest = loadSpeechSingle({ split: 'test', limit: args.quick ? 8 : undefined }).utterances;
  const results = {
    unseenSentences: cer(test),
    unseenSpeakers: cer(testSpeakers),
    speechSingleTest: singleCer(singleTest),
  };
  for (const [k, r] of Object.entries(results)) {
    say(
      `CER ${k}: ${(100 * r.rate).toFixed(2)} % (S ${r.substitutions}, ` +
        `D ${r.deletions}, I ${r.insertions} over ${r.refLength} characters)`,
    );
  }
  const training = {
    command:
      `npm run train -- listener --steps ${args.steps} --stop-at ` +
      `${losses.length}${args.quick ? ' --quick' : ''} --seed ${args.seed} --lr0 ${args.lr0}` +
      (args.initFrom ? ` --init-from <the checkpoint of initFrom.command>` : ''),
    ...(previous ? { initFrom: previous.manifest.training } : {}),
    stepsPlanned: args.steps,
    steps: losses.length,
    seconds: Math.round(seconds),
    parameters: nParams,
    data: { speechSpeakersTrain: speakers.utterances.length, speechSingleTrain: single.utterances.length },
    finalLossPerChar: losses.slice(-20).reduce((a, b) => a + b, 0) / Math.min(20, losses.length),
    cer: Object.fromEntries(Object.entries(results).map(([k, r]) => [k, r])),
  };
  save(training);
  say(`trained ${losses.length} steps in ${(seconds / 60).toFixed(1)} min; ${nParams} parameters; wrote ${args.out}`);
  fs.writeFileSync(path.join(args.out, 'training-log.txt'), `${log.join('\n')}\n`);
  tf.dispose(Object.values(params));
}
