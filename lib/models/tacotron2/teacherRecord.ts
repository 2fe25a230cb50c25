/**
 * The training record a Tacotron teacher's checkpoint carries (written by
 * scripts/train/tacotronTeacher.ts into `manifest.training`): the command, how far the run got,
 * and every validation score of the log — the curve notebook 06 plots.
 *
 *   lossF        mean teacher-forced Loss_f over the training steps since the last score
 *   valLossF     teacher-forced Loss_f on held-out utterances
 *   listenerCer  notebook 05's listener on held-out sentences synthesized free-running
 *   naturalCer   the listener on the natural recordings of the same sentences
 *   stopped      how many of those syntheses stopped before the step limit
 */
import { DatasetError } from '../../data/datasetError';

export interface TeacherEvaluation {
  step: number;
  lossF: number;
  valLossF: number;
  listenerCer: number;
  naturalCer: number;
  stopped: number;
}

export interface TeacherTrainingRecord {
  command: string;
  /** True while the planned steps are not all done (the run can be resumed). */
  partial: boolean;
  steps: number;
  stepsPlanned: number;
  seconds: number;
  trainingUtterances: number;
  /** The step whose weights the checkpoint holds: the lowest listener CER. */
  bestStep: number;
  best: TeacherEvaluation;
  evaluations: TeacherEvaluation[];
}

const EVALUATION_FIELDS = ['step', 'lossF', 'valLossF', 'listenerCer', 'naturalCer', 'stopped'] as const;
const RECORD_NUMBERS = ['steps', 'stepsPlanned', 'seconds', 'trainingUtterances', 'bestStep'] as const;

function isEvaluation(e: unknown): e is TeacherEvaluation {
  return (
    typeof e === 'object' &&
    e !== null &&
    EVALUATION_FIELDS.every((k) => Number.isFinite((e as Record<string, unknown>)[k]))
  );
}

/**
 * The checked training record of a teacher manifest's `training` field; a DatasetError naming
 * `file` when it is not one (e.g. a checkpoint written before the record had listener scores).
 */
export function teacherTrainingRecord(training: unknown, file: string): TeacherTrainingRecord {
  const t = training as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new DatasetError(file, `wrong format: training record ${what}`);
  };
  if (typeof t !== 'object' || t === null) fail('missing');
  if (typeof t.command !== 'string') fail('has no command');
  for (const k of RECORD_NUMBERS) if (!Number.isFinite(t[k])) fail(`has no number '${k}'`);
  if (!Array.isArray(t.evaluations) || t.evaluations.length === 0 || !t.evaluations.every(isEvaluation))
    fail(`'evaluations' must list { ${EVALUATION_FIELDS.join(', ')} }`);
  if (!isEvaluation(t.best)) fail("has no 'best' evaluation");
  return { ...(t as unknown as TeacherTrainingRecord), partial: t.partial === true };
}
