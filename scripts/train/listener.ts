/**
 * `npm run train -- listener`: the automatic listener of the speech notebooks — the CTC
 * recognizer of lib/models/listener/recognizer.ts trained on speech-speakers (every seen voice,
 * train split with its perturbed copies) plus speech-single's train split converted from
 * log-mel to the same features (so it also hears converted mels, which is how it listens to
 * a TTS model's output), with SpecAugment masks drawn per step.
 *
 * The run is resumable: its full state (weights, Adam's moments, step, log, best score) is saved
 * every few minutes to --state, and `--resume` continues it exactly (same batches, masks and
 * learning rate as an uninterrupted run). Every --eval-every steps it measures greedy CER on
 * validation sentences (speech-speakers `val`, seen voices, and speech-single `val`, converted);
 * when their mean improves, the weights go to --out (checkpoints/listener) with the log, and
 * training stops early after --patience evaluations without improvement. At the end (finished,
 * stopped early, or out of --minutes) the best weights are scored on the test splits —
 * speech-speakers `test` (unseen sentences), `test-speakers` (unseen speakers) and speech-single
 * `test` (unseen slt sentences) — with substitutions, deletions and insertions, and the manifest
 * and training-log.txt are written beside them.
 */
import * as fs from 'fs';
import * as path from 'path';
import { exponentialDecay, Rng, tf } from '../../lib';
import { AudioMatrix } from '../../lib/audio/matrix';
import { projectRoot } from '../../lib/core/projectRoot';
import { loadSpeechSingle } from '../../lib/data/speechSingle';
import { loadSpeechSpeakers } from '../../lib/data/speechSpeakers';
import { speechAlphabet, stripPunctuation, textToIds } from '../../lib/data/speechText';
import { characterErrorRate, ErrorRate } from '../../lib/metrics/editDistance';
import { loadListener, saveListener } from '../../lib/models/listener/checkpoint';
import {
  LISTENER_FEATURES,
  listenerFeaturesFromLfbe,
  listenerFeaturesFromLogMel,
} from '../../lib/models/listener/features';
import {
  SpeechRecognizerConfig,
  SpeechRecognizerParams,
  initSpeechRecognizer,
} from '../../lib/models/listener/recognizer';
import { SpeechUtterance, trainSpeechRecognizer } from '../../lib/models/listener/training';
import { logMelConfigOf, transcribe } from '../../lib/models/listener/transcribe';
import { readManifest } from '../../lib/data/datasetFiles';
import { buildSpeakersExtra, speakersExtraDir } from '../datasets/speechSpeakersExtra';
import { parseCommandLine, UsageError } from '../cliArgs';
import { initialTrainingLog, initialWeightsRecord } from './initialWeights';
import { stopOnRequest } from './interrupt';

export const LISTENER_USAGE = `usage: npm run train -- listener [options]
  --steps N         steps of the learning-rate schedule (default 6000; 6 with --quick)
  --minutes M       stop after M minutes (the state is saved: --resume continues)
  --resume          continue the run saved in --state
  --state DIR       where the run's state is saved (default out/train-state/listener[-quick])
  --lr0 LR          initial learning rate (default 1.26e-3; decays x0.1 over the N steps)
  --stride S        the conv's time stride (default 2)
  --hidden H        LSTM units per direction (default 176)
  --layers L        BiLSTM layers (default 2)
  --batch B         utterances per step (default 32)
  --no-augment      no SpecAugment masks
  --eval-every K    steps between validation scores (default 200; 3 with --quick)
  --patience P      stop after P scores without improvement (default 8)
  --seed S          seed of initialisation, batches and masks (default 1)
  --extra-per-speaker N
                    also train on speech-speakers-extra: N more training sentences per seen speaker
                    (out/datasets/speech-speakers-extra-N, synthesized first if missing; needs flite,
                    festival, festvox-kdlpc16k, espeak-ng, sox, r-cran-janeaustenr) (default 600; 0 with --quick)
  --single-repeat K each speech-single training utterance enters the training pool K times (default 4):
                    with the extra corpus it is 8 % of the pool, and its converted log-mel is the route
                    notebook 06 scores synthesized speech by
  --init DIR        start from the weights of the listener checkpoint in DIR (its config must match)
  --threads T       threads that share each batch, one core each (default 1; the result differs from
                    one thread's only by float summation order)
  --quick           a tiny run through the same code path
  --out DIR         checkpoint directory (default checkpoints/listener; out/checkpoints/listener-quick with --quick)`;

export interface ListenerArgs {
  steps: number;
  minutes: number;
  resume: boolean;
  state: string;
  lr0: number;
  stride: number;
  hidden: number;
  layers: number;
  batch: number;
  augment: boolean;
  evalEvery: number;
  patience: number;
  seed: number;
  extraPerSpeaker: number;
  singleRepeat: number;
  init: string | null;
  threads: number;
  quick: boolean;
  out: string;
  help: boolean;
}

/** The listener trainer's command line (UsageError on a bad one). */
export function parseListenerArgs(argv: string[]): ListenerArgs {
  const { values } = parseCommandLine('train listener', argv, {
    steps: { type: 'number', rule: 'positive-integer' },
    minutes: { type: 'number', rule: 'positive', default: Infinity },
    resume: { type: 'boolean' },
    state: { type: 'string', expects: 'a directory' },
    lr0: { type: 'number', rule: 'positive', default: 1.26e-3 },
    stride: { type: 'number', rule: 'positive-integer', default: 2 },
    hidden: { type: 'number', rule: 'positive-integer', default: 176 },
    layers: { type: 'number', rule: 'positive-integer', default: 2 },
    batch: { type: 'number', rule: 'positive-integer', default: 32 },
    'no-augment': { type: 'boolean' },
    'eval-every': { type: 'number', rule: 'positive-integer' },
    patience: { type: 'number', rule: 'positive-integer', default: 8 },
    seed: { type: 'number', rule: 'integer', default: 1 },
    'extra-per-speaker': { type: 'number', rule: 'non-negative-integer' },
    'single-repeat': { type: 'number', rule: 'positive-integer', default: 4 },
    init: { type: 'string', expects: 'a listener checkpoint directory' },
    threads: { type: 'number', rule: 'positive-integer', default: 1 },
    quick: { type: 'boolean' },
    out: { type: 'string', expects: 'a directory' },
    help: { type: 'boolean', short: 'h' },
  });
  const { quick } = values;
  const root = projectRoot();
  return {
    steps: values.steps ?? (quick ? 6 : 6000),
    minutes: values.minutes,
    resume: values.resume,
    state: path.resolve(values.state ?? path.join(root, 'out', 'train-state', quick ? 'listener-quick' : 'listener')),
    lr0: values.lr0,
    stride: values.stride,
    hidden: values.hidden,
    layers: values.layers,
    batch: quick ? Math.min(values.batch, 8) : values.batch,
    augment: !values['no-augment'],
    evalEvery: values['eval-every'] ?? (quick ? 3 : 200),
    patience: values.patience,
    seed: values.seed,
    extraPerSpeaker: values['extra-per-speaker'] ?? (quick ? 0 : 600),
    singleRepeat: values['single-repeat'],
    init: values.init === undefined ? null : path.resolve(values.init),
    threads: values.threads,
    quick,
    out: path.resolve(values.out ?? path.join(root, quick ? 'out/checkpoints/listener-quick' : 'checkpoints/listener')),
    help: values.help,
  };
}

/** SpecAugment masks for 40 LFBE channels at 100 frames/s: two of ≤ 20 frames, two of ≤ 6 channels. */
export const LISTENER_AUGMENT = { timeMasks: 2, timeWidth: 20, maxTimeFraction: 0.2, freqMasks: 2, freqWidth: 6 };

/** One validation score in the run's record. */
interface Evaluation {
  step: number;
  lossPerChar: number;
  valCer: number;
  singleValCer: number;
}

/** What the run's state carries besides the tensors (restored by --resume). */
interface ListenerRecord {
  command: string;
  config: SpeechRecognizerConfig;
  log: string[];
  evaluations: Evaluation[];
  best: Evaluation | null;
  secondsBefore: number;
}

const asUtterance = (f: AudioMatrix, text: string): SpeechUtterance => ({
  features: f.data,
  frames: f.rows,
  labels: textToIds(text, 'characters'),
});

/**
 * The train split of speech-speakers-extra with `perSpeaker` sentences per seen speaker, synthesized
 * into out/datasets first if it is not there, and the sha256 of its manifest.
 */
async function loadSpeakersExtra(
  perSpeaker: number,
  limit: number | undefined,
): Promise<{ utterances: ReturnType<typeof loadSpeechSpeakers>['utterances']; sha256: string }> {
  const dir = speakersExtraDir(perSpeaker);
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) await buildSpeakersExtra(perSpeaker, dir);
  const sha256 = readManifest(dir).manifestSha256 ?? '';
  return { utterances: loadSpeechSpeakers({ split: 'train', dir, limit }).utterances, sha256 };
}

/** Copies the weights of the listener checkpoint in `dir` into `params` (the same config). */
function startFrom(params: SpeechRecognizerParams, config: SpeechRecognizerConfig, dir: string): void {
  const start = loadListener(dir);
  try {
    if (JSON.stringify(start.manifest.config) !== JSON.stringify(config))
      throw new UsageError(
        `train listener: --init ${dir} holds a listener with config ${JSON.stringify(start.manifest.config)}, ` +
          `not ${JSON.stringify(config)}`,
      );
    for (const [name, p] of Object.entries(params)) p.assign(start.params[name]);
  } finally {
    tf.dispose(Object.values(start.params));
  }
}

const pct = (r: number): string => `${(100 * r).toFixed(1)} %`;
const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

export async function trainListener(args: ListenerArgs): Promise<void> {
  const config: SpeechRecognizerConfig = {
    featureDim: LISTENER_FEATURES.dims,
    vocabSize: speechAlphabet('characters').length,
    convChannels: 128,
    convKernel: 5,
    subsample: args.stride,
    hidden: args.hidden,
    lstmLayers: args.layers,
  };
  const command =
    `npm run train -- listener --steps ${args.steps} --stride ${args.stride} --hidden ${args.hidden} ` +
    `--layers ${args.layers} --batch ${args.batch} --lr0 ${args.lr0} --seed ${args.seed}` +
    `${args.extraPerSpeaker > 0 ? ` --extra-per-speaker ${args.extraPerSpeaker}` : ''}` +
    `${args.singleRepeat > 1 ? ` --single-repeat ${args.singleRepeat}` : ''}` +
    `${args.init ? ` --init ${path.relative(projectRoot(), args.init) || '.'}` : ''}` +
    `${args.threads > 1 ? ` --threads ${args.threads}` : ''}` +
    `${args.augment ? '' : ' --no-augment'}${args.quick ? ' --quick' : ''}`;
  const record: ListenerRecord = { command, config, log: [], evaluations: [], best: null, secondsBefore: 0 };
  const say = (line: string): void => {
    console.log(line);
    record.log.push(line);
  };
  if (!args.resume) fs.rmSync(args.state, { recursive: true, force: true });
  else if (!fs.existsSync(path.join(args.state, 'manifest.json'))) {
    throw new Error(`train listener: --resume found no saved run in ${args.state}`);
  }

  const t0 = Date.now();
  const limit = args.quick ? 48 : undefined;
  const speakers = loadSpeechSpeakers({ split: 'train', limit });
  const single = loadSpeechSingle({ split: 'train', limit: args.quick ? 16 : undefined });
  const melCfg = logMelConfigOf(single.features);
  const extra = args.extraPerSpeaker > 0 ? await loadSpeakersExtra(args.extraPerSpeaker, limit) : null;
  const singleTrain = single.utterances.map((u) => asUtterance(listenerFeaturesFromLogMel(u.mel, melCfg), u.text));
  const train = [
    ...speakers.utterances.map((u) => asUtterance(listenerFeaturesFromLfbe(u.lfbe), u.text)),
    ...(extra?.utterances ?? []).map((u) => asUtterance(listenerFeaturesFromLfbe(u.lfbe), u.text)),
    ...Array.from({ length: args.singleRepeat }, () => singleTrain).flat(),
  ];
  const allVal = loadSpeechSpeakers({ split: 'val' }).utterances;
  const val = new Rng(args.seed)
    .permutation(allVal.length)
    .slice(0, args.quick ? 8 : 96)
    .map((i) => allVal[i]);
  const singleVal = loadSpeechSingle({ split: 'val', limit: args.quick ? 4 : 32 }).utterances;
  const dataLine =
    `data: ${speakers.utterances.length} speech-speakers + ${extra?.utterances.length ?? 0} speech-speakers-extra + ` +
    `${single.utterances.length}${args.singleRepeat > 1 ? ` × ${args.singleRepeat}` : ''} speech-single (converted) ` +
    `training utterances, features in ${((Date.now() - t0) / 1000).toFixed(1)} s`;

  const params = initSpeechRecognizer(config, args.seed);
  // Read before training: --out may be the very folder the run started from.
  const initialWeights = args.init ? initialWeightsRecord(args.init) : null;
  const initialLog = args.init ? initialTrainingLog(args.init) : '';
  if (args.init) startFrom(params, config, args.init);
  const nParams = Object.values(params).reduce((s, p) => s + p.size, 0);
  const alphabet = speechAlphabet('characters').map((c, i) => (i === 0 ? '' : c));
  const listener = { params, manifest: { config, alphabet } };
  const cer = (utts: { lfbe: AudioMatrix; text: string }[]): ErrorRate =>
    characterErrorRate(
      utts.map((u) => stripPunctuation(u.text)),
      transcribe(
        listener,
        utts.map((u) => listenerFeaturesFromLfbe(u.lfbe)),
      ),
    );
  const singleCer = (utts: { mel: AudioMatrix; text: string }[]): ErrorRate =>
    characterErrorRate(
      utts.map((u) => stripPunctuation(u.text)),
      transcribe(
        listener,
        utts.map((u) => listenerFeaturesFromLogMel(u.mel, melCfg)),
      ),
    );
  const writeLog = (): void => {
    fs.mkdirSync(args.out, { recursive: true });
    fs.writeFileSync(path.join(args.out, 'training-log.txt'), `${initialLog}${record.log.join('\n')}\n`);
  };
  const saveBest = (training: Record<string, unknown>, weights = params): void => {
    saveListener(args.out, weights, { config, alphabet, features: LISTENER_FEATURES.description, training });
    writeLog();
  };
  say(dataLine);
  say(`model: ${JSON.stringify(config)}, ${nParams} parameters; ${command}`);

  let recent: number[] = [];
  let sinceBest = 0;
  let start = Date.now();
  const interrupted = stopOnRequest(args.state, say);
  const { losses, resumedAt } = trainSpeechRecognizer(params, config, train, {
    steps: args.steps,
    batchSize: args.batch,
    lr: exponentialDecay({ lr0: args.lr0, decayRate: 0.1, decaySteps: args.steps }),
    maxNorm: 5,
    seed: args.seed,
    progress: 'listener',
    maxSeconds: Number.isFinite(args.minutes) ? args.minutes * 60 : undefined,
    augment: args.augment ? LISTENER_AUGMENT : undefined,
    threads: args.threads,
    state: {
      dir: args.state,
      everyMinutes: args.quick ? 0 : 5,
      record: () => ({ ...record, secondsBefore: record.secondsBefore + (Date.now() - start) / 1000 }),
      restore: (saved) => {
        const r = saved as ListenerRecord;
        if (JSON.stringify(r.config) !== JSON.stringify(config) || r.command !== command) {
          throw new Error(`train listener: the saved run was '${r.command}', not '${command}'`);
        }
        Object.assign(record, r);
        say(`resumed from ${args.state} (${r.evaluations.length} validation scores so far)`);
        sinceBest = r.best === null ? 0 : r.evaluations.filter((e) => e.step > r.best!.step).length;
        start = Date.now();
      },
    },
    shouldStop: () => sinceBest >= args.patience || interrupted(),
    onStep: (step, s) => {
      recent.push(s.loss);
      if ((step + 1) % args.evalEvery !== 0) return;
      const averaged = recent.length; // after a resume, only the steps this process ran
      const e: Evaluation = {
        step: step + 1,
        lossPerChar: mean(recent),
        valCer: cer(val).rate,
        singleValCer: singleCer(singleVal).rate,
      };
      recent = [];
      record.evaluations.push(e);
      const better = record.best === null || e.valCer + e.singleValCer < record.best.valCer + record.best.singleValCer;
      const minutes = (record.secondsBefore + (Date.now() - start) / 1000) / 60;
      say(
        `step ${e.step}: loss/char ${e.lossPerChar.toFixed(3)} (mean of ${averaged} steps), ` +
          `val CER speech-speakers ${pct(e.valCer)}, ` +
          `speech-single ${pct(e.singleValCer)}${better ? ' (best so far: saved)' : ''}, ${minutes.toFixed(1)} min`,
      );
      if (better) {
        record.best = e;
        sinceBest = 0;
        saveBest({ partial: true, command, bestStep: e.step, evaluations: record.evaluations });
      } else sinceBest++;
    },
  });
  const stepsDone = resumedAt + losses.length;
  const finished = stepsDone >= args.steps || sinceBest >= args.patience;
  const seconds = record.secondsBefore + (Date.now() - start) / 1000;
  say(
    `${finished ? (sinceBest >= args.patience ? 'stopped early' : 'finished') : 'paused (resume with --resume)'} ` +
      `after ${stepsDone} steps, ${(seconds / 60).toFixed(1)} min of training`,
  );
  tf.dispose(Object.values(params));
  if (record.best === null) {
    say('no validation score yet: nothing written to the checkpoint');
    writeLog();
    return;
  }

  // The weights in --out may come from steps after the last saved state (a run stopped between a best
  // save and the next state save): the resumed run replays those steps exactly, so the checkpoint's own
  // record of its step and of the scores up to it describes these weights.
  const best = loadListener(args.out);
  const saved = best.manifest.training as { bestStep?: number; evaluations?: Evaluation[] };
  const bestStep = saved.bestStep ?? record.best.step;
  const evaluations =
    (saved.evaluations?.length ?? 0) > record.evaluations.length ? saved.evaluations! : record.evaluations;
  listener.params = best.params;
  const test = loadSpeechSpeakers({ split: 'test', limit: args.quick ? 8 : undefined }).utterances;
  const testSpeakers = loadSpeechSpeakers({ split: 'test-speakers', limit: args.quick ? 8 : undefined }).utterances;
  const singleTest = loadSpeechSingle({ split: 'test', limit: args.quick ? 8 : undefined }).utterances;
  const results = {
    unseenSentences: cer(test),
    unseenSpeakers: cer(testSpeakers),
    speechSingleTest: singleCer(singleTest),
  };
  say(`the best weights (step ${bestStep}) on the test splits:`);
  for (const [k, r] of Object.entries(results)) {
    say(
      `  CER ${k}: ${(100 * r.rate).toFixed(2)} % ` +
        `(S ${r.substitutions}, D ${r.deletions}, I ${r.insertions} over ${r.refLength})`,
    );
  }
  const training = {
    command,
    partial: !finished,
    stepsPlanned: args.steps,
    steps: stepsDone,
    bestStep,
    seconds: Math.round(seconds),
    parameters: nParams,
    augment: args.augment ? LISTENER_AUGMENT : null,
    data: {
      speechSpeakersTrain: speakers.utterances.length,
      speechSingleTrain: single.utterances.length,
      ...(args.singleRepeat > 1 && { speechSingleRepeat: args.singleRepeat }),
      ...(extra && { speechSpeakersExtraTrain: extra.utterances.length, speechSpeakersExtraSha256: extra.sha256 }),
    },
    ...(initialWeights && { initialWeights }),
    evaluations,
    cer: results,
  };
  saveBest(training, best.params);
  tf.dispose(Object.values(best.params));
  console.log(`wrote ${args.out}`);
}
