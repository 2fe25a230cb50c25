/**
 * The students of notebook 06 (lib/models/tacotron2/students.ts, studentCheckpoint.ts): the encoder
 * stays the teacher's and the attention trains; a stopped and resumed run ends with the weights of
 * an uninterrupted one; the checkpoint holds only the trained groups and refuses another teacher;
 * the validation Loss_d is Eq. 7 on free-running against teacher-forced states; the record checker.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import { Rng, tf } from '../lib';
import { DatasetError } from '../lib/data/datasetError';
import { distillationLoss } from '../lib/losses/distillationLoss';
import { makeTacotronBatch, disposeTacotronBatch } from '../lib/models/tacotron2/batch';
import { saveTacotron } from '../lib/models/tacotron2/checkpoint';
import { disposeTacotron2, initTacotron2, tacotronParamGroup } from '../lib/models/tacotron2/config';
import { decoderContext, runDecoder } from '../lib/models/tacotron2/decoder';
import { encoderForward } from '../lib/models/tacotron2/encoder';
import { tacotronValidationDistillation } from '../lib/models/tacotron2/intelligibility';
import {
  loadTacotronStudent,
  saveTacotronStudent,
  studentCheckpointName,
} from '../lib/models/tacotron2/studentCheckpoint';
import { initStudent, trainStudent } from '../lib/models/tacotron2/students';
import { tacotronBackprop } from '../lib/models/tacotron2/backprop';
import { teacherDecoderStates } from '../lib/models/tacotron2/training';
import { studentTrainingRecord } from '../lib/models/tacotron2/teacherRecord';
import { TINY_TACOTRON as TINY, expectNoLeak, toyTextMels as pairs } from './helpers';

const values = (m: { params: Record<string, tf.Tensor> }) =>
  Object.fromEntries(Object.entries(m.params).map(([k, v]) => [k, Array.from(v.dataSync())]));

const tmp = (prefix: string) => fs.mkdtempSync(path.join(os.tmpdir(), prefix));

describe('Tacotron students', () => {
  it('keep the teacher encoder, train attention, decoder and post-net; the teacher is not changed', () => {
    const teacher = initTacotron2(TINY, 1, { mean: -5, std: 2 });
    const before = values(teacher);
    const student = initStudent(teacher);
    trainStudent(student, teacher, pairs(1), 'Tacotron2-KD', { steps: 2, batchSize: 2, seed: 3, progress: false });
    const after = values(student);
    for (const [name, v] of Object.entries(before)) {
      expect(values(teacher)[name], `teacher ${name}`).toEqual(v);
      if (tacotronParamGroup(name) === 'encoder') expect(after[name], name).toEqual(v);
    }
    for (const name of ['attWq', 'decLstmW', 'post0W']) expect(after[name], name).not.toEqual(before[name]);
    expect(() => trainStudent(teacher, teacher, pairs(1), 'Tacotron2-FR', { steps: 1, batchSize: 2, seed: 1 })).toThrow(
      "trainStudent: argument 'student' expected a copy of the teacher (initStudent), not the teacher",
    );
    expect(() =>
      trainStudent(student, teacher, pairs(1), 'Tacotron2-XX' as never, { steps: 1, batchSize: 2, seed: 1 }),
    ).toThrow(/argument 'system' expected one of Tacotron2-SS, .* but got Tacotron2-XX/);
    disposeTacotron2(student);
    disposeTacotron2(teacher);
  });

  for (const system of ['Tacotron2-SS', 'Tacotron2-KD'] as const)
    it(`${system}: a run stopped after 2 of 4 steps and resumed ends with the uninterrupted run's weights`, () => {
      const teacher = initTacotron2(TINY, 2, { mean: -5, std: 2 });
      const opts = { steps: 4, batchSize: 2, seed: 5, progress: false };
      const straight = initStudent(teacher);
      trainStudent(straight, teacher, pairs(2), system, opts);
      const dir = tmp('student-state-');
      const state = { dir: path.join(dir, 'state'), everyMinutes: 0 };
      const first = initStudent(teacher);
      let step = 0;
      trainStudent(first, teacher, pairs(2), system, {
        ...opts,
        state,
        onStep: (s) => (step = s),
        shouldStop: () => step >= 2,
      });
      disposeTacotron2(first);
      const resumed = initStudent(teacher);
      const r = trainStudent(resumed, teacher, pairs(2), system, { ...opts, state });
      expect(r.resumedAt).toBe(2);
      expect(values(resumed)).toEqual(values(straight));
      [straight, resumed, teacher].forEach(disposeTacotron2);
      fs.rmSync(dir, { recursive: true });
    });

  it("the teacher reads the student's frames (Eq. 4 as printed): Loss_d ≈ 0 while the student is the teacher", () => {
    const teacher = initTacotron2(TINY, 6, { mean: -5, std: 2 });
    const student = initStudent(teacher);
    const parts: number[] = [];
    const opts = {
      steps: 3,
      batchSize: 2,
      seed: 4,
      progress: false,
      onStep: (_: number, p: { lossD: number }) => parts.push(p.lossD),
    };
    trainStudent(student, teacher, pairs(6), 'Tacotron2-KD', { ...opts, distillationTarget: 'student-frames' });
    expect(parts[0]).toBeLessThan(1e-9); // the same frames and dropout masks; float rounding only
    expect(parts[2]).toBeGreaterThan(0);
    const natural = initStudent(teacher);
    parts.length = 0;
    trainStudent(natural, teacher, pairs(6), 'Tacotron2-KD', opts);
    expect(parts[0]).toBeGreaterThan(0);
    [teacher, student, natural].forEach(disposeTacotron2);
  });

  it("tacotronBackprop: teacher states as a function of the student's mel = the same states as a tensor", () => {
    const teacher = initTacotron2(TINY, 7, { mean: -5, std: 2 });
    const student = initStudent(teacher);
    trainStudent(student, teacher, pairs(7), 'Tacotron2-FR', { steps: 2, batchSize: 2, seed: 1, progress: false });
    const batch = makeTacotronBatch(pairs(7).slice(0, 2), student);
    const trainable = Object.keys(student.params).filter((n) => tacotronParamGroup(n) !== 'encoder');
    const base = { trainable, encoderTraining: false, guide: 0, l2: 1e-6, lambda: 1 };
    const statesOf = (mel: tf.Tensor) => teacherDecoderStates(teacher, { ...batch, mel }, new Rng(11));
    let seen: tf.Tensor | null = null;
    const viaFunction = tacotronBackprop(
      student,
      batch,
      { kind: 'free' },
      {
        ...base,
        rng: new Rng(11),
        teacherStates: (mel) => {
          seen = tf.clone(mel);
          return statesOf(mel);
        },
      },
    );
    const fixed = statesOf(seen!);
    const viaTensor = tacotronBackprop(
      student,
      batch,
      { kind: 'free' },
      { ...base, rng: new Rng(11), teacherStates: fixed },
    );
    expect(viaFunction.parts.lossD).toBeGreaterThan(0);
    expect(viaFunction.parts).toEqual(viaTensor.parts);
    for (const n of trainable)
      expect(Array.from(viaFunction.grads[n].dataSync()), n).toEqual(Array.from(viaTensor.grads[n].dataSync()));
    tf.dispose([seen!, fixed, ...Object.values(viaFunction.grads), ...Object.values(viaTensor.grads)]);
    disposeTacotronBatch(batch);
    [teacher, student].forEach(disposeTacotron2);
  });

  it('checkpoint: only the trained groups, round-trips, refuses a student of another teacher', () => {
    const dir = tmp('student-ckpt-');
    const teacher = initTacotron2(TINY, 3, { mean: -5, std: 2 });
    const teacherManifest = saveTacotron(path.join(dir, 'teacher'), teacher, { note: 'test' });
    const student = initStudent(teacher);
    trainStudent(student, teacher, pairs(3), 'Tacotron2-FR', { steps: 1, batchSize: 2, seed: 1, progress: false });
    const info = { system: 'Tacotron2-FR' as const, seed: 1, teacher: teacherManifest, teacherCheckpoint: 't' };
    const manifest = saveTacotronStudent(path.join(dir, 'student'), student, { ...info, training: { n: 1 } });
    expect(manifest.params.every((p) => tacotronParamGroup(p.name) !== 'encoder')).toBe(true);
    expect(manifest.params.map((p) => p.name)).toContain('attWq');
    const back = loadTacotronStudent(path.join(dir, 'student'), { model: teacher, manifest: teacherManifest });
    expect(values(back.model)).toEqual(values(student));
    expect(back.manifest.system).toBe('Tacotron2-FR');
    const other = initTacotron2(TINY, 4, { mean: -5, std: 2 });
    const otherManifest = saveTacotron(path.join(dir, 'other'), other, { note: 'test' });
    const load = () => loadTacotronStudent(path.join(dir, 'student'), { model: other, manifest: otherManifest });
    expect(load).toThrow(DatasetError);
    expect(load).toThrow(/trained from the teacher whose weights have sha256 [0-9a-f]{64}, but the teacher given has/);
    expect(studentCheckpointName('Teacher+TF', 2)).toBe('tacotron-student-TF-seed2');
    expect(studentCheckpointName('Tacotron2-KD', 1)).toBe('tacotron-student-KD-seed1');
    [teacher, student, back.model, other].forEach(disposeTacotron2);
    fs.rmSync(dir, { recursive: true });
  });

  it("validation Loss_d is Eq. 7 between the student's free-running and the teacher's teacher-forced states", () => {
    const teacher = initTacotron2(TINY, 5, { mean: -5, std: 2 });
    const student = initStudent(teacher);
    trainStudent(student, teacher, pairs(5), 'Teacher+TF', {
      steps: 2,
      batchSize: 2,
      seed: 1,
      progress: false,
    });
    const one = pairs(5).slice(1, 2); // one utterance: no padded steps
    const measured = tacotronValidationDistillation(student, teacher, one, { batchSize: 4, seed: 9 });
    const batch = makeTacotronBatch(one, teacher);
    const states = (m: typeof teacher, kind: 'teacher' | 'free') =>
      tf.tidy(
        () =>
          runDecoder(
            decoderContext(m, encoderForward(m, batch.ids, batch.textMask, { training: false }), batch.textMask),
            {
              steps: batch.steps,
              feed: { kind },
              targets: batch.mel,
              rng: new Rng(9),
            },
          ).states,
      );
    const [s, sHat] = [states(teacher, 'teacher'), states(student, 'free')];
    const direct = distillationLoss(s, sHat);
    expect(measured).toBeCloseTo(direct.loss, 5);
    expect(measured).toBeGreaterThan(0);
    tf.dispose([s, sHat, direct.dsHat]);
    disposeTacotronBatch(batch);
    expectNoLeak(() => tacotronValidationDistillation(student, teacher, pairs(5), { batchSize: 3, seed: 1 }), 'Loss_d');
    expect(() =>
      tacotronValidationDistillation(student, initTacotron2({ ...TINY, decoderLstm: 6 }, 1), one, {
        batchSize: 1,
        seed: 1,
      }),
    ).toThrow(/expected Tacotron2 models with the same decoder width/);
    disposeTacotron2(student);
    disposeTacotron2(teacher);
  });

  it('studentTrainingRecord: null training losses at step 0, and names the manifest when a field is missing', () => {
    const e0 = {
      step: 0,
      lossF: null,
      lossD: null,
      valLossF: 0.2,
      valLossD: 9,
      listenerCer: 0.3,
      naturalCer: 0.15,
      stopped: 16,
    };
    const e1 = { ...e0, step: 250, lossF: 1.2, lossD: 0 };
    const record = {
      command: 'c',
      steps: 250,
      stepsPlanned: 1000,
      seconds: 60,
      trainingUtterances: 10,
      evaluations: [e0, e1],
    };
    expect(studentTrainingRecord(record, 'm.json')).toEqual({ ...record, partial: false });
    expect(() => studentTrainingRecord({ ...record, evaluations: [{ ...e1, valLossD: undefined }] }, 'm.json')).toThrow(
      "m.json: wrong format: training record 'evaluations' must list " +
        '{ step, valLossF, listenerCer, naturalCer, stopped, valLossD, lossF, lossD }',
    );
  });
});
