/**
 * Trains a shipped model by name and writes its checkpoint under checkpoints/<name>/:
 *
 *   npm run train -- listener [--steps N] [--minutes M] [--quick] [--out DIR]
 *   npm run train -- <name> --help      (that trainer's options)
 *
 * Each trainer lives in scripts/train/<name>.ts and takes the remaining arguments, parsed
 * (and checked) before the backend starts; a bad command line exits with 2.
 */
import { initBackend } from '../lib';
import { UsageError } from './cliArgs';
import { CAPTIONING_USAGE, parseCaptioningArgs, trainCaptioning } from './train/captioning';
import { CAPTIONING_CNN_USAGE, parseCaptioningCnnArgs, trainCaptioningCnn } from './train/captioningCnn';
import { LISTENER_USAGE, parseListenerArgs, trainListener } from './train/listener';
import { PRETRAIN_VARIANTS, parsePretrainArgs, pretrain, pretrainUsage } from './train/multimodal';
import { parseTacotronStudentArgs, TACOTRON_STUDENT_USAGE, trainTacotronStudent } from './train/tacotronStudent';
import { parseTacotronTeacherArgs, TACOTRON_TEACHER_USAGE, trainTacotronTeacher } from './train/tacotronTeacher';

/** A trainer: its usage, and its command line parsed (UsageError on a bad one) into the run it asks for. */
interface Trainer {
  usage: string;
  prepare(argv: string[]): { help: boolean; run: () => Promise<void> };
}

function trainer<A extends { help: boolean }>(
  usage: string,
  parse: (argv: string[]) => A,
  train: (args: A) => Promise<void>,
): Trainer {
  return {
    usage,
    prepare: (argv) => {
      const args = parse(argv);
      return { help: args.help, run: () => train(args) };
    },
  };
}

const TRAINERS: Record<string, Trainer> = {
  listener: trainer(LISTENER_USAGE, parseListenerArgs, trainListener),
  captioning: trainer(CAPTIONING_USAGE, parseCaptioningArgs, trainCaptioning),
  'captioning-cnn': trainer(CAPTIONING_CNN_USAGE, parseCaptioningCnnArgs, trainCaptioningCnn),
  'tacotron-teacher': trainer(TACOTRON_TEACHER_USAGE, parseTacotronTeacherArgs, trainTacotronTeacher),
  'tacotron-student': trainer(TACOTRON_STUDENT_USAGE, parseTacotronStudentArgs, trainTacotronStudent),
  ...Object.fromEntries(
    Object.keys(PRETRAIN_VARIANTS).map((name) => [
      name,
      trainer(pretrainUsage(name), (argv) => parsePretrainArgs(name, argv), pretrain),
    ]),
  ),
};

const USAGE = `usage: npm run train -- <name> [options]; names: ${Object.keys(TRAINERS).join(', ')}
(npm run train -- <name> --help lists that trainer's options)`;

async function main(): Promise<number> {
  const [name, ...rest] = process.argv.slice(2);
  if (name === '--help' || name === '-h') {
    console.log(USAGE);
    return 0;
  }
  const entry = name !== undefined && Object.hasOwn(TRAINERS, name) ? TRAINERS[name] : undefined;
  if (!entry) {
    console.error(`train: expected a trainer name, got ${name === undefined ? 'none' : `'${name}'`}\n${USAGE}`);
    return 2;
  }
  let job;
  try {
    job = entry.prepare(rest);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`${e.message}\n${entry.usage}`);
    return 2;
  }
  if (job.help) {
    console.log(entry.usage);
    return 0;
  }
  await initBackend();
  await job.run();
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? (e.stack ?? e.message) : e);
    process.exit(1);
  },
);
