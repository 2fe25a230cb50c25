/**
 * `npm run train -- tacotron-student --system SS|FR|KD|TF --seed K`: one student of notebook 06
 * (Liu et al., Step 2; lib/models/tacotron2/students.ts), trained from the shipped teacher on the
 * teacher's training utterances, every gradient by hand. Every system gets the same steps, batch,
 * schedule and seeds; the checkpoint holds the last step's weights (no selection on validation
 * scores, so no system is picked at its luckiest moment) and only what differs from the teacher
 * (lib/models/tacotron2/studentCheckpoint.ts).
 *
 * Resumable like the teacher's run (--state, --resume, `touch <state>.STOP`). Every --eval-every
 * steps, and before the first, it logs the mean training Loss_f and Loss_d, the teacher-forced
 * validation Loss_f, the validation Loss_d against the teacher (for every system: it shows whether
 * distillation moved the decoder's states) and the listener's CER on held-out sentences
 * synthesized free-running.
 */
import * as fs from 'fs';
import * as path from 'path';
import { tf } from '../../lib';
import { projectRoot } from '../../lib/core/projectRoot';
import { loadSpeechSingle } from '../../lib/data/speechSingle';
import { loadListener } from '../../lib/models/listener/checkpoint';
import { logMelConfigOf } from '../../lib/models/listener/transcribe';
import { loadTacotron, tacotronCheckpointDir } from '../../lib/models/tacotron2/checkpoint';
import { disposeTacotron2 } from '../../lib/models/tacotron2/config';
import { tacotronPairs } from '../../lib/models/tacotron2/data';
import { saveTacotronStudent, studentCheckpointName } from '../../lib/models/tacotron2/studentCheckpoint';
import {
  STUDENT_LR0,
  STUDENT_SHORT_NAMES,
  StudentSystem,
  initStudent,
  trainStudent,
} from '../../lib/models/tacotron2/students';
import type { StudentEvaluation } from '../../lib/models/tacotron2/teacherRecord';
import { DISTILLATION_TARGETS, DistillationTarget } from '../../lib/models/tacotron2/training';
import { parseCommandLine, UsageError } from '../cliArgs';
import { stopOnRequest } from './interrupt';
import { scoreTacotron } from './tacotronEvaluation';

export const TACOTRON_STUDENT_USAGE = `usage: npm run train -- tacotron-student --system SS|FR|KD|TF [options]
  --system S        Tacotron2-SS (scheduled sampling), -FR (free running), -KD (distillation)
                    or TF (the teacher trained on with teacher forcing: our control)
  --seed K          seed: batches, dropout and sampling draws (default 1)
  --steps N         training steps, the same for every system (default 1000; 4 with --quick)
  --batch B         batch size (default 16; 4 with --quick)
  --lr0 LR          initial learning rate (default ${STUDENT_LR0}; decays x0.1 over the N steps)
  --lambda L        weight of Loss_d for KD (default 1, the paper's)
  --distillation-target T  what the teacher reads for KD's Loss_d: natural (teacher forcing,
                    default) or student-frames (the frames the student predicted: Eq. 4 as printed)
  --guided-attention G  weight of the guided-attention term (default 0: students go without it)
  --eval-every E    steps between validation scores (default 250; 2 with --quick)
  --max-frames F    longest training utterance in frames (default: all; 100 with --quick)
  --teacher DIR     the teacher (default checkpoints/tacotron-teacher)
  --minutes M       stop after M minutes (the state is saved: --resume continues)
  --resume          continue the run saved in --state
  --state DIR       where the run's state is saved (default out/train-state/<name>)
  --quick           a tiny run through the same code path
  --out DIR         checkpoint directory (default checkpoints/tacotron-student-<S>-seed<K>;
                    out/checkpoints/…-quick with --quick)`;

export interface TacotronStudentArgs {
  system: StudentSystem;
  seed: number;
  steps: number;
  batch: number;
  lr0: number;
  lambda: number;
  distillationTarget: DistillationTarget;
  guidedAttention: number;
  evalEvery: number;
  maxFrames: number;
  teacher: string;
  minutes: number;
  resume: boolean;
  state: string;
  quick: boolean;
  out: string;
  help: boolean;
}

/** The student trainer's command line (UsageError on a bad one). */
export function parseTacotronStudentArgs(argv: string[]): TacotronStudentArgs {
  const script = 'train tacotron-student';
  const { values } = parseCommandLine(script, argv, {
    system: { type: 'string', expects: 'SS, FR, KD or TF' },
    seed: { type: 'number', rule: 'integer', default: 1 },
    steps: { type: 'number', rule: 'positive-integer' },
    batch: { type: 'number', rule: 'positive-integer' },
    lr0: { type: 'number', rule: 'positive', default: STUDENT_LR0 },
    lambda: { type: 'number', rule: 'positive', default: 1 },
    'distillation-target': { type: 'string', expects: 'natural or student-frames', default: 'natural' },
    'guided-attention': { type: 'number', rule: 'number', default: 0 },
    'eval-every': { type: 'number', rule: 'positive-integer' },
    'max-frames': { type: 'number', rule: 'positive-integer' },
    teacher: { type: 'string', expects: 'a directory' },
    minutes: { type: 'number', rule: 'positive', default: Infinity },
    resume: { type: 'boolean' },
    state: { type: 'string', expects: 'a directory' },
    quick: { type: 'boolean' },
    out: { type: 'string', expects: 'a directory' },
    help: { type: 'boolean', short: 'h' },
  });
  const { quick, help } = values;
  const system = STUDENT_SHORT_NAMES[values.system ?? ''];
  if (!system && !help)
    throw new UsageError(`${script}: --system expects SS, FR, KD or TF, got ${values.system ?? 'nothing'}`);
  const distillationTarget = values['distillation-target'] as DistillationTarget;
  if (!DISTILLATION_TARGETS.includes(distillationTarget))
    throw new UsageError(
      `${script}: --distillation-target expects natural or student-frames, got '${distillationTarget}'`,
    );
  if (values['guided-attention'] < 0)
    throw new UsageError(`${script}: --guided-attention expects a number >= 0, got '${values['guided-attention']}'`);
  const root = projectRoot();
  const name = `${system ? studentCheckpointName(system, values.seed) : 'tacotron-student'}${quick ? '-quick' : ''}`;
  return {
    system,
    seed: values.seed,
    steps: values.steps ?? (quick ? 4 : 1000),
    batch: values.batch ?? (quick ? 4 : 16),
    lr0: values.lr0,
    lambda: values.lambda,
    distillationTarget,
    guidedAttention: values['guided-attention'],
    evalEvery: values['eval-every'] ?? (quick ? 2 : 250),
    maxFrames: values['max-frames'] ?? (quick ? 100 : Infinity),
    teacher: path.resolve(values.teacher ?? tacotronCheckpointDir()),
    minutes: values.minutes,
    resume: values.resume,
    state: path.resolve(values.state ?? path.join(root, 'out', 'train-state', name)),
    quick,
    out: path.resolve(values.out ?? path.join(root, quick ? `out/checkpoints/${name}` : `checkpoints/${name}`)),
    help,
  };
}

/** What the run's state carries besides the tensors (restored by --resume). */
interface StudentRunRecord {
  command: string;
  log: string[];
  evaluations: StudentEvaluation[];
  secondsBefore: number;
}

const mean = (v: readonly number[]): number => v.reduce((a, b) => a + b, 0) / Math.max(1, v.length);

/** The command that reproduces the run (the flags that change its result). */
function commandOf(a: TacotronStudentArgs): string {
  const distils = a.system === 'Tacotron2-KD';
  const short = Object.keys(STUDENT_SHORT_NAMES).find((k) => STUDENT_SHORT_NAMES[k] === a.system);
  return (
    `npm run train -- tacotron-student --system ${short} --seed ${a.seed} --steps ${a.steps} --batch ${a.batch}` +
    ` --lr0 ${a.lr0}${distils ? ` --lambda ${a.lambda}` : ''}` +
    `${distils && a.distillationTarget !== 'natural' ? ' --distillation-target student-frames' : ''}` +
    `${a.guidedAttention > 0 ? ` --guided-attention ${a.guidedAttention}` : ''}` +
    `${Number.isFinite(a.maxFrames) ? ` --max-frames ${a.maxFrames}` : ''}${a.quick ? ' --quick' : ''}`
  );
}

export async function trainTacotronStudent(args: TacotronStudentArgs): Promise<void> {
  const { quick, out, steps, system, seed, evalEvery } = args;
  const command = commandOf(args);
  const record: StudentRunRecord = { command, log: [], evaluations: [], secondsBefore: 0 };
  const say = (line: string): void => {
    console.log(line);
    record.log.push(line);
  };
  if (!args.resume) fs.rmSync(args.state, { recursive: true, force: true });
  else if (!fs.existsSync(path.join(args.state, 'manifest.json')))
    throw new Error(`train tacotron-student: --resume found no saved run in ${args.state}`);

  const teacher = loadTacotron(args.teacher);
  const train = tacotronPairs('train', { maxFrames: args.maxFrames, limit: quick ? 16 : undefined });
  const validation = tacotronPairs('val').slice(0, quick ? 2 : 32);
  const sets = {
    validation,
    listened: validation.slice(0, quick ? 2 : 16),
    listener: loadListener(),
    melConfig: logMelConfigOf(loadSpeechSingle({ split: 'val', limit: 1 }).features),
  };
  const student = initStudent(teacher.model);
  const teacherReads = args.distillationTarget === 'natural' ? 'the natural frames' : "the student's frames";
  say(
    `data: ${train.length} speech-single training utterances; validation: ${validation.length} utterances ` +
      `(losses), ${sets.listened.length} sentences (listener)`,
  );
  say(
    `teacher: ${args.teacher} (weights sha256 ${teacher.manifest.weights.sha256.slice(0, 12)}…, ` +
      `step ${String((teacher.manifest.training as { bestStep?: number }).bestStep ?? '?')})`,
  );
  say(
    `student ${system}, seed ${seed}: the teacher's encoder frozen, attention, decoder and post-net trained from ` +
      `the teacher's; ${steps} steps, batch ${args.batch}, Adam lr ${args.lr0} → ${args.lr0 / 10} (exponential), ` +
      `clip 1, L2 1e-6, guided attention ${args.guidedAttention}` +
      `${system === 'Tacotron2-KD' ? `, λ ${args.lambda}, the teacher reads ${teacherReads}` : ''}` +
      '; every gradient by hand',
  );
  say(command);

  let window: { lossF: number; lossD: number }[] = [];
  let start = Date.now();
  const minutes = () => (record.secondsBefore + (Date.now() - start) / 1000) / 60;
  /** Scores the student; at step 0 (the teacher itself) there is no training loss yet. */
  const evaluate = (step: number): void => {
    const trained = window.length > 0;
    const lossF = trained ? mean(window.map((w) => w.lossF)) : null;
    const lossD = trained ? mean(window.map((w) => w.lossD)) : null;
    const { evaluation, line } = scoreTacotron(student, sets, step, lossF, teacher.model);
    const e = { ...evaluation, lossF, lossD, valLossD: evaluation.valLossD! };
    say(`${line}${lossD === null ? '' : `, Loss_d ${lossD.toFixed(4)} (training)`}; ${minutes().toFixed(1)} min`);
    record.evaluations.push(e);
    window = [];
  };
  const interrupted = stopOnRequest(args.state, say);
  if (!args.resume) evaluate(0);
  const result = trainStudent(student, teacher.model, train, system, {
    steps,
    batchSize: args.batch,
    seed,
    lr0: args.lr0,
    lambda: args.lambda,
    distillationTarget: args.distillationTarget,
    guidedAttention: args.guidedAttention,
    maxSeconds: Number.isFinite(args.minutes) ? args.minutes * 60 : undefined,
    shouldStop: interrupted,
    state: {
      dir: args.state,
      everyMinutes: quick ? 0 : 5,
      record: () => ({ ...record, secondsBefore: record.secondsBefore + (Date.now() - start) / 1000 }),
      restore: (saved) => {
        const r = saved as StudentRunRecord;
        if (r.command !== command)
          throw new Error(`train tacotron-student: the saved run was '${r.command}', not '${command}'`);
        Object.assign(record, r);
        say(`resumed from ${args.state} (${r.evaluations.length} validation scores so far)`);
        start = Date.now();
      },
    },
    onStep: (step, parts) => {
      window.push({ lossF: parts.lossF, lossD: parts.lossD });
      if (step % evalEvery === 0 || step === steps) evaluate(step);
    },
  });
  const stepsDone = result.resumedAt + result.history.length;
  const finished = stepsDone >= steps;
  say(
    `${finished ? 'finished' : 'paused (resume with --resume)'} after ${stepsDone} steps, ` +
      `${minutes().toFixed(1)} min of training`,
  );
  saveTacotronStudent(out, student, {
    system,
    seed,
    teacher: teacher.manifest,
    teacherCheckpoint: path.relative(projectRoot(), args.teacher),
    training: {
      partial: !finished,
      command,
      stepsPlanned: steps,
      steps: stepsDone,
      seconds: Math.round(minutes() * 60),
      trainingUtterances: train.length,
      // Which listener scored the run: a later listener hears the same audio differently.
      listenerWeightsSha256: sets.listener.manifest.weights.sha256,
      evaluations: record.evaluations,
    },
  });
  fs.writeFileSync(path.join(out, 'training-log.txt'), `${record.log.join('\n')}\n`);
  console.log(`wrote ${out}`);
  disposeTacotron2(student);
  disposeTacotron2(teacher.model);
  tf.dispose(Object.values(sets.listener.params));
}
