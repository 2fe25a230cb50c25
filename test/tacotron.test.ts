/**
 * Tacotron 2 (lib/models/tacotron2): the customGrad wrapper of the hand-written attention
 * backward agrees with the hand backward and with autodiff; the distillation term's gradient;
 * every training mode runs a step without leaking; synthesis stops and does not leak; the
 * skip/repeat counter on hand-made alignments; the checkpoint round-trips and refuses damaged files.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { describe, expect, it } from 'vitest';
import {
  tf,
  Rng,
  initLocationAttentionParams,
  locationAttentionBackward,
  locationAttentionForward,
  randn,
  disposeCache,
} from '../lib';
import { audioMatrix } from '../lib/audio/matrix';
import { DatasetError } from '../lib/data/datasetError';
import { loadSpeechSingle } from '../lib/data/speechSingle';
import { stripPunctuation } from '../lib/data/speechText';
import { sideBySide } from '../lib/display/sideBySide';
import { alignEdits } from '../lib/metrics/editDistance';
import { loadListener } from '../lib/models/listener/checkpoint';
import { logMelConfigOf } from '../lib/models/listener/transcribe';
import { locationAttentionStep } from '../lib/models/tacotron2/attentionGradient';
import { loadTacotron, saveTacotron } from '../lib/models/tacotron2/checkpoint';
import { cloneTacotron2, disposeTacotron2, initTacotron2 } from '../lib/models/tacotron2/config';
import {
  compareCleanUtterances,
  compareRobustness,
  outcomeGrid,
  outcomeTable,
  dtwMelError,
  exposureBiasCurve,
  robustnessTable1,
  UtteranceRobustness,
} from '../lib/models/tacotron2/evaluation';
import {
  inDomainCer,
  inDomainCerDifference,
  inDomainScores,
  intelligibilityTest,
  naturalInDomainScores,
} from '../lib/models/tacotron2/intelligibility';
import { teacherTrainingRecord } from '../lib/models/tacotron2/teacherRecord';
import { distillationTerm } from '../lib/models/tacotron2/losses';
import {
  countAlignmentErrors,
  utteranceOutcome,
  robustnessErrorRate,
  spokenCharacters,
  sumRobustness,
  listenerRobustness,
} from '../lib/models/tacotron2/robustness';
import { synthesize } from '../lib/models/tacotron2/synthesize';
import { LIU_TABLE1, liuImpliedDenominator, liuTableRows, table1BesideLiu } from '../lib/models/tacotron2/liuPaper';
import { TACOTRON_MODES, trainTacotron } from '../lib/models/tacotron2/training';
import { TINY_TACOTRON as TINY, expectNoLeak, relError, toyTextMels as pairs } from './helpers';

describe('location-sensitive attention inside autodiff (tf.customGrad)', () => {
  it('the hand-backed gradient equals the hand backward and autodiff of the same forward', () => {
    const rng = new Rng(3);
    const [N, L, Dq, De, A] = [2, 7, 4, 5, 6];
    const p = initLocationAttentionParams({ queryDim: Dq, attentionDim: A, channels: 2, filters: 3, kernel: 3 }, rng);
    const q = randn([N, Dq], rng),
      h = randn([N, L, De], rng),
      vh = randn([N, L, A], rng, 0.5);
    const prev = tf.abs(randn([N, L, 2], rng, 0.3));
    const mask = tf.tensor2d([
      [1, 1, 1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1, 0, 0],
    ]);
    const dc = randn([N, De], rng),
      da = randn([N, L], rng);
    const all = [q, h, vh, prev, p.Wq, p.filters, p.U, p.w, p.b];
    const loss =
      (gradient: 'hand' | 'autodiff') =>
      (...t: tf.Tensor[]) => {
        const out = locationAttentionStep(
          t[0],
          t[1],
          t[2],
          t[3],
          { Wq: t[4], filters: t[5], U: t[6], w: t[7], b: t[8] } as never,
          mask,
          gradient,
        );
        return tf.add(tf.sum(tf.mul(out.context, dc)), tf.sum(tf.mul(out.alignment, da)));
      };
    const viaHand = tf.grads(loss('hand'))(all);
    const viaAuto = tf.grads(loss('autodiff'))(all);
    const { cache, context, alignment } = locationAttentionForward(q, h, vh, prev, p, mask);
    const g = locationAttentionBackward(dc, da, cache);
    const direct = [g.dquery, g.dmemory, g.dprocessedMemory, g.dprevAlignments, g.dWq, g.dfilters, g.dU, g.dw, g.db];
    direct.forEach((d, i) => {
      expect(relError(viaHand[i], d), `input ${i}: customGrad vs hand backward`).toBeLessThan(1e-6);
      expect(relError(viaHand[i], viaAuto[i]), `input ${i}: customGrad vs autodiff`).toBeLessThan(1e-5);
    });
    // Values: both paths give the forward's context and alignment.
    const out = locationAttentionStep(q, h, vh, prev, p, mask, 'hand');
    expect(relError(out.context, context)).toBeLessThan(1e-7);
    expect(relError(out.alignment, alignment)).toBeLessThan(1e-7);
    disposeCache(cache);
    tf.dispose([viaHand, viaAuto, direct, out.context, out.alignment, context, alignment, all, mask, dc, da] as never);
  });

  it('does not leak, with and without a gradient tape, and rejects an unknown gradient kind', () => {
    const rng = new Rng(4);
    const p = initLocationAttentionParams({ queryDim: 3, attentionDim: 4, channels: 2, filters: 2, kernel: 3 }, rng);
    const q = randn([2, 3], rng),
      h = randn([2, 5, 4], rng),
      vh = randn([2, 5, 4], rng),
      prev = tf.abs(randn([2, 5, 2], rng));
    expectNoLeak(() => locationAttentionStep(q, h, vh, prev, p, null, 'hand'), 'forward');
    expectNoLeak(
      () => tf.grads((x: tf.Tensor) => tf.sum(locationAttentionStep(x, h, vh, prev, p, null, 'hand').context))([q]),
      'gradient',
    );
    expect(() => locationAttentionStep(q, h, vh, prev, p, null, 'numeric' as never)).toThrow(
      /locationAttentionStep.*'gradient' expected 'hand' or 'autodiff'/,
    );
    tf.dispose([q, h, vh, prev, ...Object.values(p)]);
  });
});

describe('distillation term', () => {
  it('value and gradient equal autodiff of (1/(N·T)) Σ‖s − ŝ‖², the teacher side constant', () => {
    const rng = new Rng(5);
    const s = randn([2, 3, 4], rng),
      sHat = randn([2, 3, 4], rng);
    const [v, g] = tf.tidy(() => [distillationTerm(s, sHat), tf.grad((x: tf.Tensor) => distillationTerm(s, x))(sHat)]);
    const [vRef, gRef] = tf.tidy(() => {
      const f = (x: tf.Tensor) => tf.div(tf.sum(tf.square(tf.sub(s, x))), 6);
      return [f(sHat), tf.grad(f)(sHat)];
    });
    expect(relError(v, vRef)).toBeLessThan(1e-6);
    expect(relError(g, gRef)).toBeLessThan(1e-6);
    tf.dispose([s, sHat, v, g, vRef, gRef]);
  });
});

describe('Tacotron 2 training modes and synthesis', () => {
  for (const mode of TACOTRON_MODES) {
    it(`${mode}: two steps change the weights, give finite losses and leak nothing`, () => {
      const model = initTacotron2(TINY, 1, { mean: -5, std: 2 });
      const teacher = cloneTacotron2(model);
      const before = model.params.decLstmW.dataSync().slice();
      const data = pairs(1);
      const run = () =>
        trainTacotron(model, data, {
          mode,
          steps: 2,
          batchSize: 2,
          seed: 3,
          lr: 1e-2,
          progress: false,
          teacher,
          lambda: 1,
          ownFrameProbability: () => 0.5,
          freeze: mode === 'teacher-forcing' ? [] : ['encoder', 'attention'],
        });
      run(); // Adam's first-step state and the wasm kernels' one-off tensors are made here
      let result: ReturnType<typeof run> | undefined;
      expectNoLeak(() => {
        result = run();
      }, mode);
      expect(result!.history).toHaveLength(2);
      result!.history.forEach((h) => {
        expect(Number.isFinite(h.total)).toBe(true);
        expect(h.lossD > 0).toBe(mode === 'distillation');
      });
      expect(relError(model.params.decLstmW.dataSync(), before)).toBeGreaterThan(1e-4);
      if (mode !== 'teacher-forcing')
        expect(Array.from(model.params.encConv0W.dataSync())).toEqual(Array.from(teacher.params.encConv0W.dataSync()));
      disposeTacotron2(model);
      disposeTacotron2(teacher);
    });
  }

  it('rejects distillation without a teacher and scheduled sampling without a schedule', () => {
    const model = initTacotron2(TINY, 1);
    const base = { steps: 1, batchSize: 2, seed: 1, lr: 1e-3, progress: false };
    expect(() => trainTacotron(model, pairs(1), { ...base, mode: 'distillation' })).toThrow(
      /trainTacotron.*'opts.teacher' expected the teacher/,
    );
    expect(() => trainTacotron(model, pairs(1), { ...base, mode: 'scheduled-sampling' })).toThrow(
      /'opts.ownFrameProbability' expected a schedule/,
    );
    disposeTacotron2(model);
  });

  it('synthesize: respects the step limit, one alignment row per step, no leak', () => {
    const model = initTacotron2(TINY, 2);
    let out: ReturnType<typeof synthesize> = [];
    synthesize(model, ['ab'], { seed: 1, maxSteps: 3 });
    expectNoLeak(() => {
      out = synthesize(model, ['a cat', 'hello there'], { seed: 1, maxSteps: 6 });
    }, 'synthesize');
    out.forEach((s, i) => {
      expect(s.alignment.length).toBeLessThanOrEqual(6);
      expect(s.mel.rows).toBe(s.alignment.length * TINY.r);
      expect(s.alignment[0]).toHaveLength(['a cat', 'hello there'][i].length);
      if (!s.stopped) expect(s.alignment.length).toBe(6);
    });
    disposeTacotron2(model);
  });
});

describe("Liu et al.'s Table 1", () => {
  it('as printed, with the counts from its text; its WER denominators fit words, not characters', () => {
    const rows = liuTableRows();
    expect(rows).toHaveLength(6);
    expect(rows.find((r) => r.system === 'Tacotron2-FR' && r.language === 'English')).toMatchObject({ MOS: 1.33 });
    const units = LIU_TABLE1.map(liuImpliedDenominator);
    const [ssEn, ssCn, kdEn, kdCn] = units as number[];
    expect(Math.abs(ssEn - kdEn) / ssEn).toBeLessThan(0.01); // both English rows divide by ≈ 1,105
    expect(Math.abs(ssCn - kdCn) / ssCn).toBeLessThan(0.01); // both Chinese rows by ≈ 5,680
    expect(ssEn).toBeLessThan(30 * 128); // fewer than the long sentences' characters alone
    expect(units.slice(4)).toEqual([null, null]);
  });

  it('puts our rows beside the paper numbers of the system of the same name', () => {
    const ours = (system: string) => ({
      system,
      inDomainCer: '10.0',
      melError: '0.5',
      skips: 3,
      repeats: 1,
      errorRate: '4.0',
    });
    const [kd, fr, tf] = table1BesideLiu([ours('Tacotron2-KD'), ours('Tacotron2-FR'), ours('Teacher+TF')]);
    expect(kd).toMatchObject({
      'ours: skips': 3,
      'paper MOS en': 3.93,
      'paper MOS cn': 3.94,
      'paper WER % en': 2.17,
      'paper skips/repeats en': '24/0',
      'paper skips/repeats cn': '38/0',
    });
    expect(fr).toMatchObject({ 'paper MOS en': 1.33, 'paper MOS cn': 2.32, 'paper WER % en': '—' });
    expect(tf['paper MOS en']).toBe('—');
    expect(() => table1BesideLiu([])).toThrow("table1BesideLiu: argument 'ours'");
  });
});

describe('robustness tables over seeds × sentences', () => {
  const record = (skips: number, repeats: number, characters = 10) =>
    ({
      byAlignment: { skips, repeats, characters, incomplete: 0, utterances: 1 },
      byListener: { skips, repeats, substitutions: skips > 1 ? 1 : 0, characters, incomplete: 0, utterances: 1 },
    }) as unknown as UtteranceRobustness;
  const run = (system: string, seed: number, errs: number[]) => ({
    system,
    seed,
    records: errs.map((e) => record(e, 0)),
  });
  it('pools the error rate, keeps its interval in [0, 100] %, and pairs two systems on the same sentences', () => {
    const runs = [
      run('A', 1, [0, 0, 1, 0]),
      run('A', 2, [0, 1, 0, 0]),
      run('B', 1, [2, 3, 2, 4]),
      run('B', 2, [3, 2, 3, 2]),
    ];
    const [a, b] = robustnessTable1(runs, 'byListener', { paper: false });
    expect(a).toMatchObject({ system: 'A', seeds: 2, skips: 1, repeats: 0 }); // one skip per seed
    expect(parseFloat(a['error rate %'] as string)).toBeCloseTo(2.5, 12); // 2 errors over 80 characters
    expect(parseFloat(b['error rate %'] as string)).toBeCloseTo(26.25, 12);
    // substitutions are reported beside the rate, not in it: B has 4 sentences with > 1 skip per seed
    expect([a['substitutions (not in the rate)'], b['substitutions (not in the rate)']]).toEqual([0, 4]);
    const d = compareRobustness(runs, 'A', 'B', 'byAlignment');
    expect(d.estimate).toBeCloseTo(0.025 - 0.2625, 12);
    expect(d.high).toBeLessThan(0); // A is lower on every sentence
    expect(() => compareRobustness(runs, 'A', 'C', 'byAlignment')).toThrow(
      "compareRobustness: arguments 'a' and 'b' expected systems with the same seeds and sentences",
    );
  });
  it('gives each utterance one outcome and pairs two systems on them by McNemar', () => {
    const runs = [
      run('A', 1, [0, 0, 1, 0]),
      run('A', 2, [0, 1, 0, 0]),
      run('B', 1, [2, 3, 0, 4]),
      run('B', 2, [3, 2, 3, 2]),
    ];
    runs[0].records[3] = {
      ...runs[0].records[3],
      byAlignment: { ...runs[0].records[3].byAlignment, incomplete: 1 },
    };
    const [a, b] = outcomeTable(runs, 'byAlignment');
    expect(a).toMatchObject({ system: 'A', utterances: 8, clean: 5, skip: 2, repeat: 0, 'no stop': 1 });
    expect(b).toMatchObject({ system: 'B', utterances: 8, clean: 1, skip: 7 });
    expect(parseFloat(a['clean %'] as string)).toBeCloseTo(62.5, 10);
    const m = compareCleanUtterances(runs, 'A', 'B', 'byAlignment');
    expect([m.onlyA, m.onlyB]).toEqual([5, 1]); // A clean where B skips: 5; B clean where A skips: 1
    expect(m.pValue).toBeCloseTo((2 * 7) / 64, 12); // P(X ≤ 1), X ~ Bin(6, ½), two-sided
    expect(() => outcomeGrid(runs, 'C', 'byAlignment')).toThrow("outcomeGrid: argument 'system'");
  });
});

describe('skip/repeat counter on planted errors', () => {
  const oneHot = (path: number[], L: number) =>
    path.map((p) => Array.from({ length: L }, (_, l) => (l === p ? 0.9 : 0.1 / (L - 1))));
  it('a clean diagonal (steps that stay or move one character) has no errors', () => {
    const c = countAlignmentErrors(oneHot([0, 1, 1, 2, 3, 4, 5, 5], 6), true);
    expect(c).toEqual({ skips: 0, repeats: 0, characters: 6, incomplete: 0, utterances: 1 });
    expect(utteranceOutcome(c)).toBe('clean');
  });
  it('jumps over one or two characters that get no attention are skips', () => {
    expect(countAlignmentErrors(oneHot([0, 1, 3, 4, 5], 6), true).skips).toBe(1); // 2 jumped over
    expect(countAlignmentErrors(oneHot([0, 1, 4, 5], 6), true).skips).toBe(2); // 2 and 3
    expect(countAlignmentErrors(oneHot([0, 1, 6, 7, 8, 9], 10), true).skips).toBe(4); // 2..5
    expect(countAlignmentErrors(oneHot([0, 1, 2, 3], 8), true).skips).toBe(4); // stopped before the end: 4..7
    expect(utteranceOutcome(countAlignmentErrors(oneHot([0, 1, 3, 4, 5], 6), true))).toBe('skip');
  });
  it('a fast read that passes through a character without peaking there is not a skip', () => {
    // Steps peak on 0, 2, 4; character 1 gets 0.3 in each of two steps (0.6 ≥ ½), character 3 likewise.
    const fast = [
      [0.7, 0.3, 0, 0, 0],
      [0, 0.3, 0.4, 0.3, 0],
      [0, 0, 0, 0.3, 0.7],
    ];
    expect(countAlignmentErrors(fast, true).skips).toBe(0);
    expect(countAlignmentErrors(fast, true, { coverMass: 0.7 }).skips).toBe(2);
  });
  it('moving back counts the characters read again; a one-character wobble does not', () => {
    const c = countAlignmentErrors(oneHot([0, 1, 2, 3, 4, 1, 2, 3, 4, 5], 6), true);
    expect(c.repeats).toBe(3);
    expect(utteranceOutcome(c)).toBe('repeat');
    expect(countAlignmentErrors(oneHot([0, 1, 2, 1, 2, 3], 4), true).repeats).toBe(0);
  });
  it('a single-letter sentence: its phones (b iy) can be skipped, and a missing stop is counted', () => {
    // 'b' as phones: pau b iy pau; the pauses do not count.
    const countable = [false, true, true, false];
    expect(countAlignmentErrors(oneHot([0, 1, 2, 3], 4), true, { countable }).skips).toBe(0);
    expect(countAlignmentErrors(oneHot([0, 2, 3], 4), true, { countable }).skips).toBe(1); // b never read
    const babble = countAlignmentErrors(oneHot([0, 1, 2, 1, 2, 1, 2, 3, 3, 3], 4), false, { countable });
    expect(utteranceOutcome(babble)).toBe('no stop');
  });
  it('only countable characters (e.g. not punctuation) count as skips and characters', () => {
    // 'ab, cd.' read as 0 1 3 5: ',' (2), 'c' (4) and '.' (6) get no attention; only 'c' counts.
    const c = countAlignmentErrors(oneHot([0, 1, 3, 5], 7), true, { countable: spokenCharacters('ab, cd.') });
    expect(c).toEqual({ skips: 1, repeats: 0, characters: 5, incomplete: 0, utterances: 1 });
    expect(spokenCharacters('hi, yes.')).toEqual([true, true, false, true, true, true, true, false]);
    expect(() => countAlignmentErrors(oneHot([0], 2), true, { countable: [true] })).toThrow(
      /'opts.countable' expected 2 flags/,
    );
  });

  it('a missing stop is incomplete; sums and the error rate', () => {
    const a = countAlignmentErrors(oneHot([0, 1, 2, 3, 4, 1, 2, 3, 4, 5], 6), false);
    const b = countAlignmentErrors(oneHot([0, 1, 6, 7, 8, 9], 10), true);
    const s = sumRobustness([a, b]);
    expect(s).toEqual({ skips: 4, repeats: 3, characters: 16, incomplete: 1, utterances: 2 });
    expect(robustnessErrorRate(s)).toBeCloseTo(7 / 16, 12);
    expect(() => utteranceOutcome(s)).toThrow("utteranceOutcome: argument 'c' expected the count of one utterance");
    expect(() => countAlignmentErrors([[0.5, 0.5], [1]], true)).toThrow(/countAlignmentErrors.*row 1 expected 2/);
  });
});

describe('Tacotron checkpoint', () => {
  it('teacherTrainingRecord checks the record notebook 06 plots and names the manifest when it is not one', () => {
    const e = { step: 500, lossF: 0.6, valLossF: 0.4, listenerCer: 0.7, naturalCer: 0.15, stopped: 16 };
    const record = {
      command: 'npm run train -- tacotron-teacher',
      steps: 600,
      stepsPlanned: 1000,
      seconds: 60,
      trainingUtterances: 10,
      bestStep: 500,
      best: e,
      evaluations: [e],
    };
    expect(teacherTrainingRecord(record, 'm.json')).toEqual({ ...record, partial: false });
    expect(teacherTrainingRecord({ ...record, partial: true }, 'm.json').partial).toBe(true);
    expect(() => teacherTrainingRecord({ ...record, evaluations: [{ step: 1 }] }, 'm.json')).toThrow(
      "m.json: wrong format: training record 'evaluations' must list " +
        '{ step, lossF, valLossF, listenerCer, naturalCer, stopped }',
    );
    expect(() => teacherTrainingRecord({ ...record, steps: undefined }, 'm.json')).toThrow(
      "m.json: wrong format: training record has no number 'steps'",
    );
    expect(() => teacherTrainingRecord(null, 'm.json')).toThrow('m.json: wrong format: training record missing');
  });

  it(
    'round-trips weights, statistics and normalisation; ' + 'refuses a bad checksum, truncation and a missing manifest',
    () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tacotron-ckpt-'));
      const model = initTacotron2(TINY, 9, { mean: -4, std: 3 });
      model.bnStats.bn0Mean.assign(tf.fill([TINY.embedDim], 0.25));
      const manifest = saveTacotron(dir, model, { note: 'test' });
      const { model: back } = loadTacotron(dir);
      expect(back.melNorm).toEqual({ mean: -4, std: 3 });
      expect(back.config).toEqual(TINY);
      for (const [k, v] of [...Object.entries(model.params), ...Object.entries(model.bnStats)]) {
        expect(Array.from((back.params[k] ?? back.bnStats[k]).dataSync()), k).toEqual(Array.from(v.dataSync()));
      }
      const wfile = path.join(dir, 'weights.bin');
      const bytes = fs.readFileSync(wfile);
      bytes[17] ^= 0xff;
      fs.writeFileSync(wfile, bytes);
      expect(() => loadTacotron(dir)).toThrow(DatasetError);
      expect(() => loadTacotron(dir)).toThrow(
        /weights\.bin.*checksum mismatch: sha256 [0-9a-f]{64}, manifest says [0-9a-f]{64}/,
      );
      fs.writeFileSync(wfile, bytes.subarray(0, manifest.weights.bytes - 8));
      expect(() => loadTacotron(dir)).toThrow(/truncated: \d+ bytes, manifest says/);
      fs.rmSync(path.join(dir, 'manifest.json'));
      expect(() => loadTacotron(dir)).toThrow(/manifest\.json.*missing manifest/);
      disposeTacotron2(model);
      disposeTacotron2(back);
      fs.rmSync(dir, { recursive: true });
    },
  );
});

describe('Tacotron evaluation helpers', () => {
  it('dtwMelError: zero for a time-stretched copy, the mean squared difference for a constant offset', () => {
    const a = audioMatrix(Float32Array.from([0, 1, 2, 3, 4, 5]), 3, 2);
    const stretched = audioMatrix(Float32Array.from([0, 1, 0, 1, 2, 3, 4, 5, 4, 5]), 5, 2);
    expect(dtwMelError(a, stretched)).toBe(0);
    const shifted = audioMatrix(
      a.data.map((v) => v + 0.5),
      3,
      2,
    );
    expect(dtwMelError(a, shifted)).toBeCloseTo(0.25, 12);
    expect(() => dtwMelError(a, audioMatrix(new Float32Array(3), 1, 3))).toThrow(/dtwMelError.*same M/);
  });

  it('exposureBiasCurve: one value per decoder step for both feeds, no leak', () => {
    const model = initTacotron2(TINY, 4, { mean: -5, std: 2 });
    let curve: ReturnType<typeof exposureBiasCurve> | undefined;
    exposureBiasCurve(model, pairs(2), 1);
    expectNoLeak(() => {
      curve = exposureBiasCurve(model, pairs(2), 1);
    }, 'exposureBiasCurve');
    const steps = Math.ceil(Math.max(...pairs(2).map((p) => p.mel.rows)) / TINY.r);
    expect(curve!.teacherForced).toHaveLength(steps);
    expect(curve!.freeRunning).toHaveLength(steps);
    expect(curve!.utterances[0]).toBe(4);
    // Step 0 reads the same zero frame in both modes (same dropout seed): identical error.
    expect(curve!.freeRunning[0]).toBeCloseTo(curve!.teacherForced[0], 5);
    disposeTacotron2(model);
  });

  it("listenerRobustness counts the transcript's deletions as skips and insertions as repeats", () => {
    const listener = loadListener();
    const u = loadSpeechSingle({ split: 'test', limit: 2 });
    const cfg = logMelConfigOf(u.features);
    const got = listenerRobustness(
      listener,
      u.utterances.map((x) => x.mel),
      u.utterances.map((x) => x.text),
      cfg,
    );
    got.forEach((g, i) => {
      const e = alignEdits(stripPunctuation(u.utterances[i].text), g.transcript);
      expect([g.skips, g.repeats, g.substitutions, g.characters]).toEqual([
        e.deletions,
        e.insertions,
        e.substitutions,
        stripPunctuation(u.utterances[i].text).length,
      ]);
    });
    tf.dispose(Object.values(listener.params));
  });

  it('the listener hears planted errors: a sentence said twice is repeats, words never said are skips', () => {
    const listener = loadListener();
    const u = loadSpeechSingle({ split: 'test', limit: 2 }).utterances;
    const cfg = logMelConfigOf(loadSpeechSingle({ split: 'test', limit: 1 }).features);
    const [a, b] = u;
    const twice = audioMatrix(Float32Array.from([...a.mel.data, ...a.mel.data]), 2 * a.mel.rows, a.mel.cols);
    const [clean, repeated, skipped] = listenerRobustness(
      listener,
      [a.mel, twice, a.mel],
      [a.text, a.text, `${a.text} ${b.text}`],
      cfg,
    );
    const extra = stripPunctuation(a.text).length; // what a second reading adds
    const missing = stripPunctuation(` ${b.text}`).length; // what the audio never says
    // The listener itself drops ~10% of the characters of natural speech (its CER on unseen sentences), so
    // it cannot count every planted character. Net insertions (repeats − skips) do not depend on how the
    // edit alignment splits its own errors (a second reading may fill the first one's deletions): beyond the
    // clean recording's, at least 70% of the planted characters must show, as the right kind of error, and
    // few as the other kind.
    const net = (r: typeof clean) => r.repeats - r.skips;
    expect(net(repeated) - net(clean)).toBeGreaterThanOrEqual(0.7 * extra);
    expect(repeated.skips).toBeLessThanOrEqual(clean.skips + 0.2 * extra);
    expect(net(clean) - net(skipped)).toBeGreaterThanOrEqual(0.7 * missing);
    expect(skipped.repeats).toBeLessThanOrEqual(clean.repeats + 0.2 * missing);
    tf.dispose(Object.values(listener.params));
  });

  it('intelligibilityTest: four conditions on the same sentences; the natural one is listenerRobustness', () => {
    const listener = loadListener();
    const u = loadSpeechSingle({ split: 'test', limit: 2 });
    const model = initTacotron2({ ...TINY, symbols: 'phones', vocabSize: 58, melDims: 80 }, 4, { mean: -5, std: 2 });
    const testPairs = u.utterances.map((x) => ({ text: x.text, phones: x.phones, mel: x.mel }));
    const r = intelligibilityTest(model, listener, testPairs, {
      seed: 3,
      features: u.features,
      griffinLimIterations: 2,
    });
    expect(r.conditions.map((c) => c.condition)).toEqual([
      'natural',
      'natural, Griffin-Lim',
      'synthesized',
      'synthesized, Griffin-Lim',
    ]);
    const natural = listenerRobustness(
      listener,
      u.utterances.map((x) => x.mel),
      u.utterances.map((x) => x.text),
      logMelConfigOf(u.features),
    );
    expect(r.conditions[0].transcripts).toEqual(natural.map((n) => n.transcript));
    for (const c of r.conditions) {
      const sum = (k: 'substitutions' | 'deletions' | 'insertions' | 'refLength') =>
        c.perSentence.reduce((s, e) => s + e[k], 0);
      expect([sum('substitutions'), sum('deletions'), sum('insertions'), sum('refLength')]).toEqual([
        c.errors.substitutions,
        c.errors.deletions,
        c.errors.insertions,
        c.errors.refLength,
      ]);
    }
    expect(r.griffinLimSignals).toHaveLength(2);
    expect(() =>
      intelligibilityTest(model, listener, testPairs, { seed: 3, features: u.features, griffinLimIterations: 0 }),
    ).toThrow("intelligibilityTest: argument 'opts.griffinLimIterations'");
    disposeTacotron2(model);
    tf.dispose(Object.values(listener.params));
  });

  it('inDomainScores and its natural floor: per-sentence mel error and listener errors on the same sentences', () => {
    const listener = loadListener();
    const u = loadSpeechSingle({ split: 'test', limit: 2 });
    const model = initTacotron2({ ...TINY, symbols: 'phones', vocabSize: 58, melDims: 80 }, 4, { mean: -5, std: 2 });
    const testPairs = u.utterances.map((x) => ({ text: x.text, phones: x.phones, mel: x.mel }));
    const cfg = logMelConfigOf(u.features);
    const spoken = inDomainScores(model, listener, testPairs, { seed: 3, melConfig: cfg });
    const floor = naturalInDomainScores(listener, testPairs, {
      features: u.features,
      griffinLimIterations: 4,
      seed: 3,
    });
    const heard = listenerRobustness(
      listener,
      u.utterances.map((x) => x.mel),
      u.utterances.map((x) => x.text),
      cfg,
    );
    expect(floor.map((f) => f.errors)).toEqual(heard.map((h) => h.substitutions + h.skips + h.repeats));
    for (const [k, x] of u.utterances.entries()) {
      expect(spoken[k].characters).toBe(stripPunctuation(x.text).length);
      expect(floor[k].characters).toBe(spoken[k].characters);
    }
    // an untrained model is farther from the natural mel than the natural mel through Griffin-Lim
    for (const k of [0, 1]) expect(spoken[k].melError).toBeGreaterThan(floor[k].melError);
    expectNoLeak(() => inDomainScores(model, listener, testPairs, { seed: 3, melConfig: cfg }), 'inDomainScores');
    expect(() => inDomainScores(model, listener, [], { seed: 3, melConfig: cfg })).toThrow(
      "inDomainScores: argument 'pairs'",
    );
    disposeTacotron2(model);
    tf.dispose(Object.values(listener.params));
  });

  it('inDomainCer pools errors over characters; the paired difference resamples the same seeds and sentences', () => {
    const s = (errors: number, characters: number) => ({ melError: 0, errors, characters });
    const a = [
      [s(1, 10), s(3, 30)],
      [s(2, 10), s(0, 30)],
    ];
    const b = [
      [s(0, 10), s(0, 30)],
      [s(1, 10), s(0, 30)],
    ];
    expect(inDomainCer(a).estimate).toBeCloseTo(6 / 80, 12);
    const d = inDomainCerDifference(a, b);
    expect(d.estimate).toBeCloseTo(6 / 80 - 1 / 80, 12);
    expect(d.low).toBeGreaterThanOrEqual(0);
    expect([d.seeds, d.items]).toEqual([2, 2]);
    expect(() => inDomainCerDifference(a, [b[0]])).toThrow("inDomainCerDifference: arguments 'a' and 'b'");
  });

  it('sideBySide puts each panel on its own axes with its title above', () => {
    const fig = sideBySide(
      [
        { data: [{ type: 'heatmap', z: [[1]] }], layout: { title: { text: 'A' } } },
        { data: [{ type: 'heatmap', z: [[2]] }], layout: { title: { text: 'B' } } },
      ],
      { zRange: [0, 1] },
    );
    expect(fig.data.map((d) => [d.xaxis, d.yaxis, d.showscale, d.zmax])).toEqual([
      ['x', 'y', false, 1],
      ['x2', 'y2', undefined, 1],
    ]);
    expect((fig.layout!.annotations as { text: string }[]).map((a) => a.text)).toEqual(['A', 'B']);
    expect(() => sideBySide([])).toThrow(/sideBySide.*non-empty/);
  });
});
