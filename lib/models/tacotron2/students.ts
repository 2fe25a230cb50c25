/**
 * The students of notebook 06 (Liu et al., Step 2): "use the trained teacher encoder and teacher
 * decoder to train the student decoder". Each student reads the teacher's encoder, **frozen**;
 * its decoder — attention included, trainable — and post-net start from the teacher's weights
 * (the paper does not say how the student decoder is initialised; starting from the teacher is
 * our reading, and what the laptop budget affords) and train in the system's mode:
 *
 *   'Tacotron2-SS'   scheduled sampling, ε(k) = 0.5 · k / K (own frame fed with probability rising to one half)
 *   'Tacotron2-FR'   free running, Loss_f
 *   'Tacotron2-KD'   free running, Loss_f + λ·Loss_d against the frozen teacher (λ = 1 unless given; Eq. 8)
 *   'Teacher+TF'     teacher forcing for the same budget: the control that says how much of a
 *                    change is the extra training rather than the mode (ours)
 *
 * Adam, learning rate decaying exponentially from lr0 (default {@link STUDENT_LR0}) to lr0/10 over
 * the budget, clip 1, L2 1e-6, and no guided attention (the teacher had it; a student that needs it
 * would need it in every system — pass `guidedAttention` to all of them then).
 */
import { checkArgs } from '../../core/validate';
import { exponentialDecay } from '../../optim/schedules';
import type { ResumableState } from '../../train/trainLoop';
import { Tacotron2, cloneTacotron2 } from './config';
import type { TextMel } from './batch';
import { DistillationTarget, TacotronLossParts, TacotronMode, trainTacotron } from './training';

/** Students' initial learning rate: above where the teacher's schedule ended (1e-4), a tenth of its start. */
export const STUDENT_LR0 = 5e-4;

export type StudentSystem = 'Tacotron2-SS' | 'Tacotron2-FR' | 'Tacotron2-KD' | 'Teacher+TF';
export const STUDENT_SYSTEMS: readonly StudentSystem[] = ['Tacotron2-SS', 'Tacotron2-FR', 'Tacotron2-KD', 'Teacher+TF'];

/** The short names of the command line (`npm run train -- tacotron-student --system KD`). */
export const STUDENT_SHORT_NAMES: Record<string, StudentSystem> = {
  SS: 'Tacotron2-SS',
  FR: 'Tacotron2-FR',
  KD: 'Tacotron2-KD',
  TF: 'Teacher+TF',
};

export const STUDENT_MODES: Record<StudentSystem, TacotronMode> = {
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
  /** λ of Eq. 8 (Tacotron2-KD; default 1). */
  lambda?: number;
  /** What the teacher reads for Loss_d (Tacotron2-KD; default 'natural'; ./training.ts says why it is a choice). */
  distillationTarget?: DistillationTarget;
  /** Weight of the guided-attention term (default 0: students train without it). */
  guidedAttention?: number;
  progress?: boolean;
  /** After each update: the step and its loss parts (Loss_d is 0 unless distilling). */
  onStep?: (step: number, parts: TacotronLossParts) => void;
  /** Resumable training (lib/train/trainLoop.ts), as for the teacher. */
  state?: ResumableState;
  maxSeconds?: number;
  shouldStop?: () => boolean;
}

/** Starts a student: a copy of `teacher` (the teacher is not changed). */
export const initStudent = (teacher: Tacotron2): Tacotron2 => cloneTacotron2(teacher);

/**
 * Trains `student` (a copy of `teacher`, {@link initStudent}) in place as `system`: the encoder stays
 * the teacher's, everything after it trains.
 */
export function trainStudent(
  student: Tacotron2,
  teacher: Tacotron2,
  data: readonly TextMel[],
  system: StudentSystem,
  opts: StudentOptions,
): { history: TacotronLossParts[]; resumedAt: number; seconds: number; decoderStepsPerSecond: number } {
  checkArgs('trainStudent')
    .require(
      STUDENT_SYSTEMS.includes(system),
      `argument 'system' expected one of ${STUDENT_SYSTEMS.join(', ')} but got ${String(system)}`,
    )
    .require(student !== teacher, "argument 'student' expected a copy of the teacher (initStudent), not the teacher")
    .number('opts.steps', opts?.steps, { integer: true, min: 1 })
    .number('opts.guidedAttention', opts.guidedAttention ?? 0, { min: 0 });
  const lr0 = opts.lr0 ?? STUDENT_LR0;
  return trainTacotron(student, data, {
    mode: STUDENT_MODES[system],
    steps: opts.steps,
    batchSize: opts.batchSize,
    seed: opts.seed,
    teacher,
    lambda: opts.lambda ?? 1,
    distillationTarget: opts.distillationTarget,
    lr: exponentialDecay({ lr0, decayRate: 0.1, decaySteps: opts.steps }),
    ownFrameProbability: (k) => (0.5 * k) / opts.steps,
    freeze: ['encoder'],
    guidedAttention: opts.guidedAttention ?? 0,
    label: `${system}${system === 'Tacotron2-KD' ? ` λ=${opts.lambda ?? 1}` : ''} seed ${opts.seed}`,
    progress: opts.progress,
    onStep: opts.onStep,
    state: opts.state,
    maxSeconds: opts.maxSeconds,
    shouldStop: opts.shouldStop,
  });
}

/** A new student trained from `teacher` as `system` (the short live run of notebook 06). */
export function fineTuneStudent(
  teacher: Tacotron2,
  data: readonly TextMel[],
  system: StudentSystem,
  opts: StudentOptions,
): { model: Tacotron2; history: TacotronLossParts[]; seconds: number; decoderStepsPerSecond: number } {
  const model = initStudent(teacher);
  const { history, seconds, decoderStepsPerSecond } = trainStudent(model, teacher, data, system, opts);
  return { model, history, seconds, decoderStepsPerSecond };
}
