/**
 * The training records Tacotron checkpoints carry in `manifest.training` (written by
 * scripts/train/tacotronTeacher.ts and tacotronStudent.ts): the command, how far the run got,
 * and every validation score of the log — the curves notebook 06 plots.
 *
 *   lossF        mean training Loss_f over the steps since the last score
 *   valLossF     teacher-forced Loss_f on held-out utterances
 *   listenerCer  notebook 05's listener on held-out sentences synthesized free-running
 *   naturalCer   the listener on the natural recordings of the same sentences
 *   stopped      how many of those syntheses stopped before the step limit
 *
 * and for a student also
 *
 *   lossD        mean training Loss_d since the last score (0 for a system not trained on it)
 *                (lossF and lossD are null at step 0, the score of the teacher before any step)
 *   valLossD     Loss_d of its free-running states against the teacher's, held-out utterances
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

export interface StudentEvaluation extends Omit<TeacherEvaluation, 'lossF'> {
  lossF: number | null;
  lossD: number | null;
  valLossD: number;
}

interface TrainingRecord<E> {
  command: string;
  /** True while the planned steps are not all done (the run can be resumed). */
  partial: boolean;
  steps: number;
  stepsPlanned: number;
  seconds: number;
  trainingUtterances: number;
  evaluations: E[];
}

export interface TeacherTrainingRecord extends TrainingRecord<TeacherEvaluation> {
  /** The step whose weights the checkpoint holds: the lowest listener CER. */
  bestStep: number;
  best: TeacherEvaluation;
}

/** A student's record: its weights are the last step's (every system gets the same steps). */
export type StudentTrainingRecord = TrainingRecord<StudentEvaluation>;

const TEACHER_FIELDS = ['step', 'lossF', 'valLossF', 'listenerCer', 'naturalCer', 'stopped'] as const;
const STUDENT_FIELDS = ['step', 'valLossF', 'listenerCer', 'naturalCer', 'stopped', 'valLossD'] as const;
/** Fields that are numbers, or null before the first training step. */
const STUDENT_NULLABLE = ['lossF', 'lossD'] as const;
const RECORD_NUMBERS = ['steps', 'stepsPlanned', 'seconds', 'trainingUtterances'] as const;

const hasNumbers = (e: unknown, fields: readonly string[], nullable: readonly string[] = []): boolean =>
  typeof e === 'object' &&
  e !== null &&
  fields.every((k) => Number.isFinite((e as Record<string, unknown>)[k])) &&
  nullable.every((k) => {
    const v = (e as Record<string, unknown>)[k];
    return v === null || Number.isFinite(v);
  });

/** Checks the fields every record has; a DatasetError naming `file` otherwise. */
function checkRecord(
  training: unknown,
  file: string,
  numbers: readonly string[],
  fields: readonly string[],
  nullable: readonly string[] = [],
) {
  const t = training as Record<string, unknown>;
  const fail = (what: string): never => {
    throw new DatasetError(file, `wrong format: training record ${what}`);
  };
  if (typeof t !== 'object' || t === null) fail('missing');
  if (typeof t.command !== 'string') fail('has no command');
  for (const k of numbers) if (!Number.isFinite(t[k])) fail(`has no number '${k}'`);
  const ok = (e: unknown) => hasNumbers(e, fields, nullable);
  if (!Array.isArray(t.evaluations) || t.evaluations.length === 0 || !t.evaluations.every(ok))
    fail(`'evaluations' must list { ${[...fields, ...nullable].join(', ')} }`);
  return { t, fail };
}

/**
 * The checked training record of a teacher manifest's `training` field; a DatasetError naming
 * `file` when it is not one (e.g. a checkpoint written before the record had listener scores).
 */
export function teacherTrainingRecord(training: unknown, file: string): TeacherTrainingRecord {
  const { t, fail } = checkRecord(training, file, [...RECORD_NUMBERS, 'bestStep'], TEACHER_FIELDS);
  if (!hasNumbers(t.best, TEACHER_FIELDS)) fail("has no 'best' evaluation");
  return { ...(t as unknown as TeacherTrainingRecord), partial: t.partial === true };
}

/** The checked training record of a student manifest's `training` field (a DatasetError naming `file` if not one). */
export function studentTrainingRecord(training: unknown, file: string): StudentTrainingRecord {
  const { t } = checkRecord(training, file, RECORD_NUMBERS, STUDENT_FIELDS, STUDENT_NULLABLE);
  return { ...(t as unknown as StudentTrainingRecord), partial: t.partial === true };
}
