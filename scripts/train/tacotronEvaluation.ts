/**
 * The validation score a Tacotron training run logs every few hundred steps (the teacher's and the
 * students' trainers): teacher-forced validation Loss_f, the listener's CER on held-out sentences
 * synthesized free-running beside its CER on their natural recordings, how many syntheses stopped,
 * and — for a student — the validation Loss_d against its teacher
 * (lib/models/tacotron2/intelligibility.ts says what each measures).
 */
import type { Listener } from '../../lib/models/listener/transcribe';
import type { LogMelConfig } from '../../lib/models/listener/features';
import type { TextMel } from '../../lib/models/tacotron2/batch';
import type { Tacotron2 } from '../../lib/models/tacotron2/config';
import {
  listenerScores,
  tacotronValidationDistillation,
  tacotronValidationLoss,
} from '../../lib/models/tacotron2/intelligibility';
import type { TeacherEvaluation } from '../../lib/models/tacotron2/teacherRecord';

export interface ValidationSets {
  /** Utterances for the validation losses. */
  validation: readonly TextMel[];
  /** Sentences the listener hears. */
  listened: readonly TextMel[];
  listener: Listener;
  melConfig: LogMelConfig;
}

const pct = (r: number): string => `${(100 * r).toFixed(1)} %`;

/**
 * Scores `model` at `step` (`lossF`: the mean training Loss_f since the last score, null before
 * the first step); the log line says it all.
 */
export function scoreTacotron(
  model: Tacotron2,
  sets: ValidationSets,
  step: number,
  lossF: number | null,
  teacher?: Tacotron2,
): { evaluation: Omit<TeacherEvaluation, 'lossF'> & { lossF: number | null; valLossD?: number }; line: string } {
  const scores = listenerScores(model, sets.listener, sets.listened, { seed: 7, melConfig: sets.melConfig });
  const valLossD = teacher
    ? tacotronValidationDistillation(model, teacher, sets.validation, { batchSize: 16, seed: 7 })
    : undefined;
  const evaluation = {
    step,
    lossF,
    valLossF: tacotronValidationLoss(model, sets.validation, { batchSize: 16, seed: 7 }),
    listenerCer: scores.synthesized.rate,
    naturalCer: scores.natural.rate,
    stopped: scores.stopped,
    ...(valLossD === undefined ? {} : { valLossD }),
  };
  const s = scores.synthesized;
  const line =
    `step ${step}: ${lossF === null ? '' : `Loss_f ${lossF.toFixed(4)}, `}` +
    `val Loss_f ${evaluation.valLossF.toFixed(4)}` +
    `${valLossD === undefined ? '' : `, val Loss_d ${valLossD.toFixed(4)}`}, ` +
    `listener CER ${pct(s.rate)} (S ${s.substitutions}, D ${s.deletions}, I ${s.insertions}; ` +
    `natural ${pct(evaluation.naturalCer)}), stopped ${evaluation.stopped}/${sets.listened.length}`;
  return { evaluation, line };
}
