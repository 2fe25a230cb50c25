/**
 * `npm run train -- tacotron-teacher`: the teacher of notebook 06 — lib/models/tacotron2 trained
 * with teacher forcing (Liu et al. Eq. 1, plus the guided-attention aid every system gets) on
 * speech-single's training utterances, every gradient by hand (lib/models/tacotron2/backprop.ts).
 * It reads flite's phones by default (--symbols): in a PyTorch copy of this model and data, phone
 * input reached a given free-running intelligibility in 3–4× fewer steps than characters
 * (measured 2026-12-06 with the same losses and sizes; notebook 06 gives the numbers).
 *
 * The run is resumable: its full state (weights, Adam's moments, batch-norm statistics, step, log,
 * scores) is saved every few minutes to --state, and `--resume` continues it exactly (same
 * batches, dropout masks and learning rate as an uninterrupted run), so a long run can span
 * sessions. Every --eval-every steps it logs the mean training Loss_f, the teacher-forced
 * validation Loss_f and the notebook-05 listener's character error rate on held-out validation
 * sentences synthesized free-running (beside its CER on their natural recordings); the weights
 * with the lowest listener CER so far go to --out (checkpoints/tacotron-teacher) with the
 * manifest and the full training log. `--extra N` adds N more flite slt training sentences
 * (speech-single-extra, built into out/datasets on first use); `--init DIR` continues from a
 * teacher checkpoint with a fresh optimiser and schedule (its log heads the new one).
 */
import * as fs from 'fs';
import * as path from 'path';
import { exponentialDecay, tf } from '../../lib';
import { projectRoot } from '../../lib/core/projectRoot';
import { loadSpeechSingle } from '../../lib/data/speechSingle';
import { loadListener } from '../../lib/models/listener/checkpoint';
import { logMelConfigOf } from '../../lib/models/listener/transcribe';
import { loadTacotron, saveTacotron } from '../../lib/models/tacotron2/checkpoint';
import {
  TACOTRON_CONFIG,
  TACOTRON_VOCAB,
  Tacotron2,
  Tacotron2Config,
  TacotronSymbols,
  disposeTacotron2,
  initTacotron2,
  tacotronParameterCount,
} from '../../lib/models/tacotron2/config';
import type { TextMel } from '../../lib/models/tacotron2/batch';
import { melNormOf, tacotronPairs } from '../../lib/models/tacotron2/data';
import { readManifest } from '../../lib/data/datasetFiles';
import { trainTacotron } from '../../lib/models/tacotron2/training';
import { parseCommandLine, UsageError } from '../cliArgs';
import { buildSingleExtra, singleExtraDir } from '../datasets/speechSingleExtra';
import { initialTrainingLog, initialWeightsRecord } from './initialWeights';
import { stopOnRequest } from './interrupt';
import { scoreTacotron } from './tacotronEvaluation';
import type { TeacherEvaluation } from '../../lib/models/tacotron2/teacherRecord';

export const TACOTRON_TEACHER_USAGE = `usage: npm run train -- tacotron-teacher [options]
  --steps N         steps of the learning-rate schedule (default 30000; 4 with --quick)
  --minutes M       stop after M minutes (the state is saved: --resume continues)
  --resume          continue the run saved in --state
  --state DIR       where the run's state is saved (default out/train-state/tacotron-teacher[-quick])
  --batch B         batch size (default 16; 4 with --quick)
  --max-frames F    longest training utterance in frames (default: all; 100 with --quick)
  --eval-every E    steps between validation scores (default 500; 2 with --quick)
  --lr0 LR          initial learning rate (default 1e-3; decays x0.1 over the N steps)
  --symbols KIND    what the encoder reads: phones (flite's, default) or characters
  --extra N         also train on speech-single-extra: N more flite slt training sentences
                    (out/datasets/speech-single-extra-N, synthesized first if missing; needs flite, sox and
                    r-cran-janeaustenr) (default 0: none)
  --init DIR        start from the weights, batch-norm statistics and mel normalisation of the teacher
                    checkpoint in DIR (its config must match); the optimiser and schedule start afresh, and
                    --out is written only with weights whose listener CER beats the starting weights'
  --seed S          seed (default 1)
  --quick           a tiny run through the same code path
  --out DIR         checkpoint directory (default checkpoints/tacotron-teacher;
                    out/checkpoints/tacotron-teacher-quick with --quick)`;

export interface TacotronTeacherArgs {
  quick: boolean;
  out: string;
  state: string;
  resume: boolean;
  steps: number;
  minutes: number;
  batch: number;
  maxFrames: number;
  seed: number;
  evalEvery: number;
  lr0: number;
  symbols: TacotronSymbols;
  extra: number;
  init: string | null;
  help: boolean;
}

/** The teacher trainer's command line (UsageError on a bad one). */
export function parseTacotronTeacherArgs(argv: string[]): TacotronTeacherArgs {
  const { values } = parseCommandLine('train tacotron-teacher', argv, {
    steps: { type: 'number', rule: 'positive-integer' },
    minutes: { type: 'number', rule: 'positive', default: Infinity },
    resume: { type: 'boolean' },
    state: { type: 'string', expects: 'a directory' },
    batch: { type: 'number', rule: 'positive-integer' },
    'max-frames': { type: 'number', rule: 'positive-integer' },
    seed: { type: 'number', rule: 'integer', default: 1 },
    'eval-every': { type: 'number', rule: 'positive-integer' },
    lr0: { type: 'number', rule: 'positive', default: 1e-3 },
    symbols: { type: 'string', expects: 'phones or characters', default: 'phones' },
    extra: { type: 'number', rule: 'non-negative-integer', default: 0 },
    init: { type: 'string', expects: 'a teacher checkpoint directory' },
    quick: { type: 'boolean' },
    out: { type: 'string', expects: 'a directory' },
    help: { type: 'boolean', short: 'h' },
  });
  const { quick } = values;
  if (values.symbols !== 'phones' && values.symbols !== 'characters')
    throw new UsageError(`train tacotron-teacher: --symbols expects phones or characters, got '${values.symbols}'`);
  const root = projectRoot();
  const name = quick ? 'tacotron-teacher-quick' : 'tacotron-teacher';
  return {
    quick,
    out: path.resolve(values.out ?? path.join(root, quick ? `out/checkpoints/${name}` : `checkpoints/${name}`)),
    state: path.resolve(values.state ?? path.join(root, 'out', 'train-state', name)),
    resume: values.resume,
    steps: values.steps ?? (quick ? 4 : 30000),
    minutes: values.minutes,
    batch: values.batch ?? (quick ? 4 : 16),
    maxFrames: values['max-frames'] ?? (quick ? 100 : Infinity),
    seed: values.seed,
    evalEvery: values['eval-every'] ?? (quick ? 2 : 500),
    lr0: values.lr0,
    symbols: values.symbols,
    extra: values.extra,
    init: values.init === undefined ? null : path.resolve(values.init),
    help: values.help,
  };
}

/** One validation score in the run's record. */
type Evaluation = TeacherEvaluation;

/** What the run's state carries besides the tensors (restored by --resume). */
interface TeacherRecord {
  command: string;
  log: string[];
  evaluations: Evaluation[];
  best: Evaluation | null;
  /** With --init: the listener CER of the starting weights, which a saved checkpoint must beat. */
  startListenerCer: number | null;
  secondsBefore: number;
}

/**
 * The train split of speech-single-extra with `count` sentences (synthesized into out/datasets first
 * if it is not there) as text–mel pairs, and the sha256 of its manifest.
 */
async function loadSingleExtra(
  count: number,
  maxFrames: number,
  limit: number | undefined,
): Promise<{ pairs: TextMel[]; sha256: string }> {
  const dir = singleExtraDir(count);
  if (!fs.existsSync(path.join(dir, 'manifest.json'))) await buildSingleExtra(count, dir);
  return { pairs: tacotronPairs('train', { maxFrames, limit, dir }), sha256: readManifest(dir).manifestSha256 ?? '' };
}

/** The teacher checkpoint in `dir` as the run's starting model (UsageError unless its config is `config`). */
function startFrom(dir: string, config: Tacotron2Config): Tacotron2 {
  const { model } = loadTacotron(dir);
  if (JSON.stringify(model.config) !== JSON.stringify(config)) {
    disposeTacotron2(model);
    throw new UsageError(
      `train tacotron-teacher: --init ${dir} holds a model with config ${JSON.stringify(model.config)}, ` +
        `not ${JSON.stringify(config)}`,
    );
  }
  return model;
}

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

export async function trainTacotronTeacher(args: TacotronTeacherArgs): Promise<void> {
  const { quick, out, steps, batch, maxFrames, seed, evalEvery, lr0, symbols, extra, init } = args;
  const command =
    `npm run train -- tacotron-teacher --symbols ${symbols} --steps ${steps} --batch ${batch}` +
    `${Number.isFinite(maxFrames) ? ` --max-frames ${maxFrames}` : ''} --lr0 ${lr0} --seed ${seed}` +
    `${extra > 0 ? ` --extra ${extra}` : ''}${init ? ` --init ${path.relative(projectRoot(), init) || '.'}` : ''}` +
    `${quick ? ' --quick' : ''}`;
  const record: TeacherRecord = {
    command,
    log: [],
    evaluations: [],
    best: null,
    startListenerCer: null,
    secondsBefore: 0,
  };
  const say = (line: string): void => {
    console.log(line);
    record.log.push(line);
  };
  if (!args.resume) fs.rmSync(args.state, { recursive: true, force: true });
  else if (!fs.existsSync(path.join(args.state, 'manifest.json')))
    throw new Error(`train tacotron-teacher: --resume found no saved run in ${args.state}`);

  const limit = quick ? 16 : undefined;
  const single = tacotronPairs('train', { maxFrames, limit });
  const more = extra > 0 ? await loadSingleExtra(extra, maxFrames, limit) : null;
  const train = [...single, ...(more?.pairs ?? [])];
  const validation = tacotronPairs('val').slice(0, quick ? 2 : 32);
  const listened = validation.slice(0, quick ? 2 : 16);
  const config = { ...TACOTRON_CONFIG, symbols, vocabSize: TACOTRON_VOCAB[symbols] };
  // Read before training: --out may be the very folder the run starts from.
  const initialWeights = init ? initialWeightsRecord(init) : null;
  const initialLog = init ? initialTrainingLog(init) : '';
  const model = init ? startFrom(init, config) : initTacotron2(config, seed, melNormOf(train));
  const { melNorm } = model;
  const listener = loadListener();
  const melConfig = logMelConfigOf(loadSpeechSingle({ split: 'val', limit: 1 }).features);
  const sets = { validation, listened, listener, melConfig };
  const nParams = tacotronParameterCount(model);
  const frames = train.map((p) => p.mel.rows);
  say(
    `data: ${single.length} speech-single + ${more?.pairs.length ?? 0} speech-single-extra training utterances ` +
      `(${Math.min(...frames)}–${Math.max(...frames)} frames); ` +
      `validation: ${validation.length} utterances (loss), ${listened.length} sentences (listener); ` +
      `mel mean ${melNorm.mean.toFixed(3)}, std ${melNorm.std.toFixed(3)}`,
  );
  say(`model: ${JSON.stringify(model.config)}; ${nParams} parameters${init ? `, started from ${init}` : ''}`);
  say(
    `training: teacher forcing + guided attention (g 0.2, weight 1), L2 1e-6, every gradient by hand; ` +
      `batch ${batch}, Adam lr ${lr0} → ${lr0 / 10} over ${steps} steps (exponential), clip 1, seed ${seed}`,
  );
  say(command);
  const writeBest = (training: Record<string, unknown>): void => {
    saveTacotron(out, model, training);
    fs.writeFileSync(path.join(out, 'training-log.txt'), `${initialLog}${record.log.join('\n')}\n`);
  };

  if (init && !args.resume) {
    // --out may be the folder the run started from: only weights better than those are written there.
    const { evaluation, line } = scoreTacotron(model, sets, 0, null);
    record.startListenerCer = evaluation.listenerCer;
    say(`${line} (the --init weights: a saved checkpoint must beat this)`);
  }
  let window: number[] = [];
  let start = Date.now();
  const minutes = () => (record.secondsBefore + (Date.now() - start) / 1000) / 60;
  const interrupted = stopOnRequest(args.state, say);
  const result = trainTacotron(model, train, {
    mode: 'teacher-forcing',
    steps,
    batchSize: batch,
    seed,
    lr: exponentialDecay({ lr0, decayRate: 0.1, decaySteps: steps }),
    label: 'tacotron teacher',
    maxSeconds: Number.isFinite(args.minutes) ? args.minutes * 60 : undefined,
    shouldStop: interrupted,
    state: {
      dir: args.state,
      everyMinutes: quick ? 0 : 5,
      record: () => ({ ...record, secondsBefore: record.secondsBefore + (Date.now() - start) / 1000 }),
      restore: (saved) => {
        const r = saved as TeacherRecord;
        if (r.command !== command)
          throw new Error(`train tacotron-teacher: the saved run was '${r.command}', not '${command}'`);
        Object.assign(record, r);
        say(`resumed from ${args.state} (${r.evaluations.length} validation scores so far)`);
        start = Date.now();
      },
    },
    onStep: (step, parts) => {
      window.push(parts.lossF);
      if (step % evalEvery !== 0 && step !== steps) return;
      const lossF = mean(window);
      const { evaluation, line } = scoreTacotron(model, sets, step, lossF);
      const e: Evaluation = { ...evaluation, lossF };
      const toBeat = record.best?.listenerCer ?? record.startListenerCer ?? Infinity;
      const better = e.listenerCer < toBeat;
      say(`${line}${better ? ' (best so far: saved)' : ''}; ${minutes().toFixed(1)} min`);
      window = [];
      record.evaluations.push(e);
      if (better) {
        record.best = e;
        writeBest({ partial: true, command, bestStep: step, evaluations: record.evaluations, best: e });
      }
    },
  });
  const stepsDone = result.resumedAt + result.history.length;
  const finished = stepsDone >= steps;
  say(
    `${finished ? 'finished' : 'paused (resume with --resume)'} after ${stepsDone} steps, ` +
      `${minutes().toFixed(1)} min of training`,
  );
  if (record.best === null)
    say(`no validation score ${init ? 'has beaten the --init weights' : 'yet'}: nothing written to the checkpoint`);
  else {
    // The checkpoint holds the best weights: reload them and rewrite it with the whole record.
    const best = loadTacotron(out);
    const saved = best.manifest.training as { bestStep: number; best: Evaluation };
    saveTacotron(out, best.model, {
      partial: !finished,
      command,
      stepsPlanned: steps,
      steps: stepsDone,
      bestStep: saved.bestStep,
      best: saved.best,
      seconds: Math.round(minutes() * 60),
      parameters: nParams,
      trainingUtterances: train.length,
      ...(more && { speechSingleExtraTrain: more.pairs.length, speechSingleExtraSha256: more.sha256 }),
      ...(initialWeights && { initialWeights }),
      // Which listener scored the run: a later listener hears the same audio differently.
      listenerWeightsSha256: listener.manifest.weights.sha256,
      evaluations: record.evaluations,
    });
    fs.writeFileSync(path.join(out, 'training-log.txt'), `${initialLog}${record.log.join('\n')}\n`);
    disposeTacotron2(best.model);
    console.log(`wrote ${out}`);
  }
  disposeTacotron2(model);
  tf.dispose(Object.values(listener.params));
}
