/**
 * `npm run train -- tacotron-teacher`: the teacher of notebook 06 — lib/models/tacotron2 trained
 * with teacher forcing (Liu et al. Eq. 1, plus the guided-attention aid every system gets) on
 * speech-single's training utterances of at most --max-frames frames. Every --eval-every steps
 * it synthesizes the first validation utterances free-running and logs the alignment counter's
 * skips/repeats and how many stopped; each evaluation also writes the checkpoint (so a time cap
 * leaves the last one). Writes checkpoints/tacotron-teacher/{weights.bin, manifest.json, training-log.txt}.
 *
 * Options: --steps N (default 1600; Adam lr lr0 decaying exponentially to lr0/10 over N steps),
 * --stop-at K, --minutes M (stop after M minutes; the manifest records the steps done, so
 * `--steps N --stop-at <steps>` repeats the run), --batch B (16), --max-frames F (180),
 * --seed S (1), --eval-every E (100), --lr0 (1e-3; decays ×0.1 over the N steps), --init-from DIR
 * (continue from a saved teacher: its weights, statistics and mel normalisation, fresh Adam state;
 * the manifest keeps the earlier run's record under `initFrom` and the log its lines), --quick (a
 * tiny run through the same code path into out/checkpoints/tacotron-teacher-quick), --out DIR, --help.
 */
import * as fs from 'fs';
import * as path from 'path';
import { exponentialDecay } from '../../lib';
import { loadTacotron, saveTacotron } from '../../lib/models/tacotron2/checkpoint';
import {
  TACOTRON_CONFIG,
  initTacotron2,
  tacotronParameterCount,
  disposeTacotron2,
} from '../../lib/models/tacotron2/config';
import { melNormOf, tacotronPairs } from '../../lib/models/tacotron2/data';
import {
  countAlignmentErrors,
  robustnessErrorRate,
  spokenCharacters,
  sumRobustness,
} from '../../lib/models/tacotron2/robustness';
import { synthesize } from '../../lib/models/tacotron2/synthesize';
import { trainTacotron } from '../../lib/models/tacotron2/training';
import { parseCommandLine } from '../cliArgs';

export const TACOTRON_TEACHER_USAGE = `usage: npm run train -- tacotron-teacher [options]
  --steps N         steps of the learning-rate schedule (default 1600; 4 with --quick)
  --stop-at K       stop after step K of that schedule
  --minutes M       stop after M minutes (the checkpoint of the last evaluation is kept)
  --batch B         batch size (default 16; 4 with --quick)
  --max-frames F    longest training utterance in frames (default 180; 100 with --quick)
  --eval-every E    evaluate and save every E steps (default 100; 2 with --quick)
  --lr0 LR          initial learning rate (default 1e-3; decays x0.1 over the N steps)
  --init-from DIR   continue from a saved teacher (weights, statistics, mel normalisation; fresh Adam state)
  --seed S          seed (default 1)
  --quick           a tiny run through the same code path
  --out DIR         checkpoint directory (default checkpoints/tacotron-teacher;
                    out/checkpoints/tacotron-teacher-quick with --quick)`;

export interface TacotronTeacherArgs {
  /** The command line as given, for the log. */
  argv: string[];
  quick: boolean;
  out: string;
  steps: number;
  stopAt: number;
  minutes: number;
  batch: number;
  maxFrames: number;
  seed: number;
  evalEvery: number;
  lr0: number;
  initFrom?: string;
  help: boolean;
}

/** The teacher trainer's command line (UsageError on a bad one). */
export function parseTacotronTeacherArgs(argv: string[]): TacotronTeacherArgs {
  const { values } = parseCommandLine('train tacotron-teacher', argv, {
    steps: { type: 'number', rule: 'positive-integer' },
    'stop-at': { type: 'number', rule: 'positive-integer', default: Infinity },
    minutes: { type: 'number', rule: 'positive', default: Infinity },
    batch: { type: 'number', rule: 'positive-integer' },
    'max-frames': { type: 'number', rule: 'positive-integer' },
    seed: { type: 'number', rule: 'integer', default: 1 },
    'eval-every': { type: 'number', rule: 'positive-integer' },
    lr0: { type: 'number', rule: 'positive', default: 1e-3 },
    'init-from': { type: 'string', expects: 'a checkpoint directory' },
    quick: { type: 'boolean' },
    out: { type: 'string', expects: 'a directory' },
    help: { type: 'boolean', short: 'h' },
  });
  const { quick } = values;
  const root = path.resolve(__dirname, '..', '..', '..');
  const defaultOut = path.join(root, quick ? 'out/checkpoints/tacotron-teacher-quick' : 'checkpoints/tacotron-teacher');
  return {
    argv,
    quick,
    out: path.resolve(values.out ?? defaultOut),
    steps: values.steps ?? (quick ? 4 : 1600),
    stopAt: values['stop-at'],
    minutes: values.minutes,
    batch: values.batch ?? (quick ? 4 : 16),
    maxFrames: values['max-frames'] ?? (quick ? 100 : 180),
    seed: values.seed,
    evalEvery: values['eval-every'] ?? (quick ? 2 : 100),
    lr0: values.lr0,
    initFrom: values['init-from'] === undefined ? undefined : path.resolve(values['init-from']),
    help: values.help,
  };
}

/** Thrown from the step callback when --minutes has run out (the checkpoint of that step is saved). */
class TimeCap extends Error {
  constructor(readonly step: number) {
    super(`time cap reached at step ${step}`);
  }
}

export async function trainTacotronTeacher(args: TacotronTeacherArgs): Promise<void> {
  const { argv, quick, out, steps, stopAt, minutes, batch, maxFrames, seed, evalEvery, lr0, initFrom } = args;
  const log: string[] = [];
  const say = (line: string): void => {
    console.log(line);
    log.push(line);
  };

  const train = tacotronPairs('train', { maxFrames, limit: quick ? 16 : undefined });
  const val = tacotronPairs('val', { maxFrames }).slice(0, quick ? 2 : 8);
  const previous = initFrom === undefined ? undefined : loadTacotron(initFrom);
  const melNorm = previous?.model.melNorm ?? melNormOf(train);
  const model = previous?.model ?? initTacotron2(TACOTRON_CONFIG, seed, melNorm);
  if (previous) {
    const before = fs.readFileSync(path.join(initFrom!, 'training-log.txt'), 'utf8').trimEnd().split('\n');
    log.push(...before.map((l) => `[earlier run] ${l}`));
    say(`continuing from ${initFrom} (${(previous.manifest.training as { command?: string }).command})`);
  }
  const nParams = tacotronParameterCount(model);
  say(
    `data: ${train.length} speech-single training utterances of ≤ ${maxFrames} frames; ` +
      `mel mean ${melNorm.mean.toFixed(3)}, std ${melNorm.std.toFixed(3)}`,
  );
  say(`model: ${JSON.stringify(model.config)}; ${nParams} parameters`);
  say(
    `training: teacher forcing + guided attention (g 0.2, weight 1), L2 1e-6, batch ${batch}, ` +
      `steps ${steps}, Adam lr ${lr0} → ${lr0 / 10} (exponential), clip 1, seed ${seed}`,
  );
  const lr = exponentialDecay({ lr0, decayRate: 0.1, decaySteps: steps });
  const t0 = Date.now();
  const deadline = t0 + minutes * 60000;
  const lastSteps = Math.min(steps, stopAt);
  let recent: number[] = [];
  let done = 0;
  const evaluate = (): Record<string, number> => {
    const syn = synthesize(
      model,
      val.map((v) => v.text),
      { seed: 7 },
    );
    const count = sumRobustness(
      syn.map((s) => countAlignmentErrors(s.alignment, s.stopped, { countable: spokenCharacters(s.text) })),
    );
    return {
      valSkips: count.skips,
      valRepeats: count.repeats,
      valErrorRate: robustnessErrorRate(count),
      valIncomplete: count.incomplete,
      valUtterances: count.utterances,
    };
  };
  const record = (extra: Record<string, unknown>) => ({
    command:
      `npm run train -- tacotron-teacher --steps ${steps} --stop-at ${done} --batch ${batch} ` +
      `--max-frames ${maxFrames} --seed ${seed} --lr0 ${lr0}${quick ? ' --quick' : ''}` +
      (initFrom ? ' --init-from <the checkpoint of initFrom.command>' : ''),
    ...(previous ? { initFrom: previous.manifest.training } : {}),
    stepsPlanned: steps,
    steps: done,
    seconds: Math.round((Date.now() - t0) / 1000),
    parameters: nParams,
    trainingUtterances: train.length,
    ...extra,
  });
  let window: number[] = [];
  let stopReason = '';
  try {
    trainTacotron(model, train, {
      mode: 'teacher-forcing',
      steps: lastSteps,
      batchSize: batch,
      seed,
      lr,
      label: 'tacotron teacher',
      onStep: (step, parts) => {
        done = step;
        window.push(parts.lossF);
        if (step % evalEvery !== 0 && step !== lastSteps) return;
        recent = window;
        window = [];
        const ev = evaluate();
        say(
          `step ${step}: Loss_f ${(recent.reduce((a, b) => a + b, 0) / recent.length).toFixed(4)} ` +
            `(mean of last ${recent.length}), guide ${parts.guide.toFixed(4)}; ` +
            `val free-running: skips (spoken characters) ${ev.valSkips}, repeats ${ev.valRepeats}, ` +
            `incomplete ${ev.valIncomplete}/${ev.valUtterances}; ${((Date.now() - t0) / 60000).toFixed(1)} min`,
        );
        saveTacotron(out, model, record({ partial: step < lastSteps, lastLossF: parts.lossF, ...ev }));
        fs.writeFileSync(path.join(out, 'training-log.txt'), `${log.join('\n')}\n`);
        if (Date.now() > deadline && step < lastSteps) throw new TimeCap(step);
      },
    });
  } catch (e) {
    if (!(e instanceof TimeCap)) throw e;
    stopReason = ` (the ${minutes}-minute cap stopped it after step ${e.step})`;
  }
  say(`ran as: npm run train -- tacotron-teacher ${argv.join(' ')}${stopReason}`);
  const manifest = saveTacotron(out, model, record({ lastLossF: recent[recent.length - 1], ...evaluate() }));
  say(
    `trained ${done} steps in ${((Date.now() - t0) / 60000).toFixed(1)} min; ` +
      `${nParams} parameters, ${manifest.weights.bytes} bytes; wrote ${out}`,
  );
  fs.writeFileSync(path.join(out, 'training-log.txt'), `${log.join('\n')}\n`);
  disposeTacotron2(model);
}
