/**
 * The students of notebook 06, fine-tuned from the shipped teacher with one step budget each
 * (our deviation from the paper's from-scratch baselines, forced by the laptop budget): the
 * encoder and the attention are copied from the teacher and frozen — the paper's Step 2
 * initialises the student's encoder and attention from the teacher — and the decoder and
 * post-net start from the teacher's too and are trained:
 *
 *   'Tacotron2-SS'   scheduled sampling, ε(k) = 0.5 · k / K (own frame fed with probability rising to one half)
 *   'Tacotron2-FR'   free running
 *   'Tacotron2-KD'   free running, Loss_f + λ·Loss_d against the frozen teacher (λ = 1 unless given)
 *   'Teacher+TF'     teacher forcing for the same budget: the control that says how much of a
 *                    change is the extra training rather than the mode (ours)
 *
 * Adam, learning rate decaying exponentially from lr0 (default {@link STUDENT_LR0}) to lr0/10 over the
 * budget, clip 1, the same guided-attention term as the teacher.
 */
import { checkArgs } from '../../core/validate';
import { exponentialDecay } from '../../optim/schedules';
import { Tacotron2, cloneTacotron2 } from './config';
import type { TextMel } from './batch';
import { TacotronLossParts, TacotronMode, trainTacotron } from './training';

/** Students' initial learning rate: a short budget, so higher than where the teacher's schedule ended. */
export const STUDENT_LR0 = 5e-4;

export type StudentSystem = 'Tacotron2-SS' | 'Tacotron2-FR' | 'Tacotron2-KD' | 'Teacher+TF';
export const STUDENT_SYSTEMS: readonly StudentSystem[] = ['Tacotron2-SS', 'Tacotron2-FR', 'Tacotron2-KD', 'Teacher+TF'];

const MODE: Record<StudentSystem, TacotronMode> = {
  'Tacotron2-SS': 'scheduled-sampling',
  'Tacotron2-FR': 'free-running',
  'Tacotron2-KD': 'distillation',
  'Teacher+TF': 'teacher-forcing',
};

export interface StudentOptions {
  steps: number;
  batchSize: number;
  seed: number;
  lr0?: number;
  lambda?: number;
  progress?: boolean;
}

/** A new model fine-tuned from `teacher` as `system` (the teacher is not changed). */
export function fineTuneStudent(
  teacher: Tacotron2,
  data: readonly TextMel[],
  system: StudentSystem,
  opts: StudentOptions,
): { model: Tacotron2; history: TacotronLossParts[]; seconds: number; decoderStepsPerSecond: number } {
  checkArgs('fineTuneStudent')
    .require(
      STUDENT_SYSTEMS.includes(system),
      `argument 'system' expected one of ${STUDENT_SYSTEMS.join(', ')} but got ${String(system)}`,
    )
    .number('opts.steps', opts?.steps, { integer: true, min: 1 });
  const model = cloneTacotron2(teacher);
  const lr0 = opts.lr0 ?? STUDENT_LR0;
  const res = trainTacotron(model, data, {
    mode: MODE[system],
    steps: opts.steps,
    batchSize: opts.batchSize,
    seed: opts.seed,
    teacher,
    lambda: opts.lambda ?? 1,
    lr: exponentialDecay({ lr0, decayRate: 0.1, decaySteps: opts.steps }),
    ownFrameProbability: (k) => (0.5 * k) / opts.steps,
    freeze: ['encoder', 'attention'],
    label: `${system}${system === 'Tacotron2-KD' ? ` λ=${opts.lambda ?? 1}` : ''} seed ${opts.seed}`,
    progress: opts.progress,
  });
  return { model, ...res };
}
