/**
 * Shipped students (checkpoints/tacotron-student-<system>-seed<K>): only what differs from the
 * teacher. A student reads the teacher's frozen encoder (./students.ts), so its checkpoint holds the
 * parameters of the groups it trained (attention, decoder, post-net) in the shipped-weights format
 * (lib/data/shippedWeights.ts), and its manifest names the teacher by the sha256 of the teacher's
 * weights. Loading copies the teacher and overwrites those groups; a student saved from another
 * teacher fails with a named {@link DatasetError} instead of decoding with the wrong encoder.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { DatasetError } from '../../data/datasetError';
import { readShippedWeights, shippedCheckpointDir, writeShippedWeights } from '../../data/shippedWeights';
import type { ShippedWeightsManifest } from '../../data/shippedWeights';
import type { TacotronManifest } from './checkpoint';
import { Tacotron2, TacotronParamGroup, cloneTacotron2, disposeTacotron2, tacotronParamGroup } from './config';
import { STUDENT_SYSTEMS, StudentSystem } from './students';

const STUDENT_FORMAT = 'backprop-lab-tacotron-student-1';

/** The groups a student trains and its checkpoint stores. */
export const STUDENT_GROUPS: readonly TacotronParamGroup[] = ['attention', 'decoder', 'postnet'];

export interface StudentManifest extends ShippedWeightsManifest {
  format: typeof STUDENT_FORMAT;
  system: StudentSystem;
  seed: number;
  /** The teacher it was trained from: its checkpoint name and the sha256 of its weights. */
  teacher: { checkpoint: string; weightsSha256: string };
  groups: TacotronParamGroup[];
  /** How it was trained (written by the training script). */
  training: Record<string, unknown>;
}

/** The folder name of a shipped student: `tacotron-student-KD-seed1`. */
export function studentCheckpointName(system: StudentSystem, seed: number): string {
  checkArgs('studentCheckpointName')
    .require(
      STUDENT_SYSTEMS.includes(system),
      `argument 'system' expected one of ${STUDENT_SYSTEMS.join(', ')} but got ${String(system)}`,
    )
    .number('seed', seed, { integer: true });
  const short = system === 'Teacher+TF' ? 'TF' : system.slice('Tacotron2-'.length);
  return `tacotron-student-${short}-seed${seed}`;
}

/**
 * Writes the parameters of `student` that it trained (STUDENT_GROUPS) and the manifest into `dir`;
 * `teacher` is the manifest of the teacher it was trained from, `teacherCheckpoint` its name.
 */
export function saveTacotronStudent(
  dir: string,
  student: Tacotron2,
  info: {
    system: StudentSystem;
    seed: number;
    teacher: TacotronManifest;
    teacherCheckpoint: string;
    training: Record<string, unknown>;
  },
): StudentManifest {
  checkArgs('saveTacotronStudent')
    .require(student?.params !== undefined, "argument 'student' expected a Tacotron2")
    .require(
      typeof info?.teacher?.weights?.sha256 === 'string',
      "argument 'info.teacher' expected the teacher's manifest",
    )
    .require(
      STUDENT_SYSTEMS.includes(info.system),
      `argument 'info.system' expected one of ${STUDENT_SYSTEMS.join(', ')} but got ${String(info.system)}`,
    );
  const trained = Object.entries(student.params).filter(([n]) => STUDENT_GROUPS.includes(tacotronParamGroup(n)));
  return writeShippedWeights<StudentManifest>('saveTacotronStudent', dir, STUDENT_FORMAT, Object.fromEntries(trained), {
    system: info.system,
    seed: info.seed,
    teacher: { checkpoint: info.teacherCheckpoint, weightsSha256: info.teacher.weights.sha256 },
    groups: [...STUDENT_GROUPS],
    training: info.training,
  });
}

/**
 * A student saved by {@link saveTacotronStudent}: a copy of `teacher` (the loaded teacher and its
 * manifest) with the stored groups overwritten. `dir` defaults to the shipped
 * checkpoints/<studentCheckpointName(system, seed)> when given as { system, seed }.
 */
export function loadTacotronStudent(
  where: string | { system: StudentSystem; seed: number },
  teacher: { model: Tacotron2; manifest: TacotronManifest },
): { model: Tacotron2; manifest: StudentManifest } {
  checkArgs('loadTacotronStudent').require(
    teacher?.model?.params !== undefined && typeof teacher.manifest?.weights?.sha256 === 'string',
    "argument 'teacher' expected { model, manifest } of the loaded teacher (bp.tacotron.load())",
  );
  const dir = typeof where === 'string' ? where : shippedCheckpointDir(studentCheckpointName(where.system, where.seed));
  const { manifest, params: stored } = readShippedWeights<StudentManifest>(
    dir,
    STUDENT_FORMAT,
    'train it with: npm run train -- tacotron-student',
  );
  const file = path.join(dir, 'manifest.json');
  if (manifest.teacher?.weightsSha256 !== teacher.manifest.weights.sha256)
    throw new DatasetError(
      file,
      `this student was trained from the teacher whose weights have sha256 ${manifest.teacher?.weightsSha256}, ` +
        `but the teacher given has ${teacher.manifest.weights.sha256} (retrain it from this teacher: ` +
        'npm run train -- tacotron-student)',
    );
  const model = cloneTacotron2(teacher.model);
  for (const [name, v] of Object.entries(model.params)) {
    if (!STUDENT_GROUPS.includes(tacotronParamGroup(name))) continue;
    const t = stored.get(name);
    if (!t || t.shape.join() !== v.shape.join()) {
      disposeTacotron2(model);
      throw new DatasetError(
        file,
        `tensor '${name}' ${t ? `has shape [${t.shape}]` : 'is missing'}; the teacher's config needs [${v.shape}]`,
      );
    }
    const x = tf.tensor(t.values, v.shape, 'float32');
    v.assign(x);
    x.dispose();
  }
  return { model, manifest };
}
