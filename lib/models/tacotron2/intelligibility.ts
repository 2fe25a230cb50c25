/**
 * What a Tacotron teacher's training log and its acceptance test measure (issue 20):
 *
 *   validation loss   Loss_f = MSE(ŷ, y) + MSE(ŷ_post, y) + BCE(stop), teacher-forced, on held-out
 *                     utterances (pre-net dropout on, as in training and synthesis; no L2 term)
 *   validation Loss_d a student's free-running decoder states against the teacher's teacher-forced
 *                     ones on held-out utterances (Eq. 7, as the KD student is trained; measured for
 *                     every system, so it shows whether distillation moved the decoder's states)
 *   listener CER      the held-out sentences synthesized free-running, the mel after the post-net
 *                     transcribed by notebook 05's listener (greedy CTC), character error rate
 *                     against the sentence — beside the listener's CER on the natural recordings
 *                     of the same sentences, the floor the synthesis is judged against
 *
 * The listener reads the synthesized log-mel directly (converted to its filterbank features as it
 * does for speech-single); `intelligibilityTest`, notebook 06's acceptance test, also passes it
 * through Griffin-Lim and back, as the measure asks.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { stripPunctuation } from '../../data/speechText';
import { ErrorRate, characterErrorRate } from '../../metrics/editDistance';
import { Interval, PairedDifference, resampleDifference, resampleInterval } from '../../experiments/statistics';
import type { LogMelConfig } from '../listener/features';
import { Listener, logMelConfigOf, transcribeLogMel } from '../listener/transcribe';
import { TextMel, disposeTacotronBatch, makeTacotronBatch } from './batch';
import type { Tacotron2 } from './config';
import { decoderContext, runDecoder } from './decoder';
import { encoderForward } from './encoder';
import { distillationWithGradient } from './lossGradients';
import { maskedMse, stopTokenBce } from './losses';
import { postnetForward } from './postnet';
import { dtwMelError } from './evaluation';
import { Synthesis, synthesize } from './synthesize';
import { griffinLimFromMel } from '../../audio/griffinLim';
import { logMel, type LogMelOptions } from '../../audio/logMel';
import type { AudioMatrix } from '../../audio/matrix';
import type { SpeechFeatureSpec } from '../../data/speechCorpus';

/** Teacher-forced Loss_f over `pairs` (batches of `batchSize`, dropout masks from `seed`), weighted by utterance. */
export function tacotronValidationLoss(
  model: Tacotron2,
  pairs: readonly TextMel[],
  opts: { batchSize: number; seed: number },
): number {
  checkArgs('tacotronValidationLoss')
    .require(Array.isArray(pairs) && pairs.length > 0, "argument 'pairs' expected at least one { text, mel }")
    .number('opts.batchSize', opts?.batchSize, { integer: true, min: 1 })
    .number('opts.seed', opts.seed, { integer: true });
  const rng = new Rng(opts.seed);
  let total = 0;
  for (let i = 0; i < pairs.length; i += opts.batchSize) {
    const items = pairs.slice(i, i + opts.batchSize);
    const batch = makeTacotronBatch(items, model);
    const loss = tf.tidy(() => {
      const memory = encoderForward(model, batch.ids, batch.textMask, { training: false });
      const run = runDecoder(decoderContext(model, memory, batch.textMask), {
        steps: batch.steps,
        feed: { kind: 'teacher' },
        targets: batch.mel,
        rng,
      });
      return tf.addN([
        maskedMse(run.mel, batch.mel, batch.frameMask),
        maskedMse(postnetForward(model, run.mel), batch.mel, batch.frameMask),
        stopTokenBce(run.stopLogits, batch.stopTargets),
      ]);
    });
    total += loss.dataSync()[0] * items.length;
    loss.dispose();
    disposeTacotronBatch(batch);
  }
  return total / pairs.length;
}

/**
 * Loss_d of `student` on held-out `pairs` (batches of `batchSize`): the student decodes free-running
 * for as many steps as the natural utterance has, the teacher teacher-forced on the same batch,
 * both with the same pre-net dropout masks (from `seed`) and the inference-mode encoder. Each batch's
 * value is the training's Loss_d (./lossGradients.ts: Σ ‖s_t − ŝ_t‖² over real steps / (N·S)); batches
 * are averaged weighted by their utterances.
 */
export function tacotronValidationDistillation(
  student: Tacotron2,
  teacher: Tacotron2,
  pairs: readonly TextMel[],
  opts: { batchSize: number; seed: number },
): number {
  checkArgs('tacotronValidationDistillation')
    .require(Array.isArray(pairs) && pairs.length > 0, "argument 'pairs' expected at least one { text, mel }")
    .require(
      student?.config?.decoderLstm === teacher?.config?.decoderLstm,
      "arguments 'student' and 'teacher' expected Tacotron2 models with the same decoder width",
    )
    .number('opts.batchSize', opts?.batchSize, { integer: true, min: 1 })
    .number('opts.seed', opts.seed, { integer: true });
  let total = 0;
  for (let i = 0; i < pairs.length; i += opts.batchSize) {
    const items = pairs.slice(i, i + opts.batchSize);
    const batch = makeTacotronBatch(items, student);
    const statesOf = (model: Tacotron2, feed: 'teacher' | 'free') =>
      tf.tidy(() => {
        const memory = encoderForward(model, batch.ids, batch.textMask, { training: false });
        return runDecoder(decoderContext(model, memory, batch.textMask), {
          steps: batch.steps,
          feed: { kind: feed },
          targets: batch.mel,
          rng: new Rng(opts.seed + i),
        }).states;
      });
    const s = statesOf(teacher, 'teacher');
    const sHat = statesOf(student, 'free');
    const d = distillationWithGradient(s, sHat, batch.stepMask);
    total += d.value * items.length;
    tf.dispose([s, sHat, d.grad]);
    disposeTacotronBatch(batch);
  }
  return total / pairs.length;
}

export interface ListenerScores {
  /** The listener on the free-running synthesis of each text. */
  synthesized: ErrorRate;
  /** The listener on the natural recordings of the same texts. */
  natural: ErrorRate;
  transcripts: { text: string; synthesized: string; natural: string }[];
  /** How many syntheses stopped before the step limit. */
  stopped: number;
}

/** Synthesizes each pair's text free-running (dropout masks from `seed`) and scores both with the listener. */
export function listenerScores(
  model: Tacotron2,
  listener: Listener,
  pairs: readonly TextMel[],
  opts: { seed: number; melConfig: LogMelConfig },
): ListenerScores {
  checkArgs('listenerScores')
    .require(Array.isArray(pairs) && pairs.length > 0, "argument 'pairs' expected at least one { text, mel }")
    .number('opts.seed', opts?.seed, { integer: true })
    .require(opts.melConfig !== undefined, "argument 'opts.melConfig' expected the corpus's log-mel configuration");
  const texts = pairs.map((p) => p.text);
  const syntheses = synthesize(model, pairs, { seed: opts.seed });
  const synthesized = transcribeLogMel(
    listener,
    syntheses.map((s) => s.mel),
    opts.melConfig,
  );
  const natural = transcribeLogMel(
    listener,
    pairs.map((p) => p.mel),
    opts.melConfig,
  );
  const refs = texts.map((t) => stripPunctuation(t));
  return {
    synthesized: characterErrorRate(refs, synthesized),
    natural: characterErrorRate(refs, natural),
    transcripts: texts.map((text, i) => ({ text, synthesized: synthesized[i], natural: natural[i] })),
    stopped: syntheses.filter((s) => s.stopped).length,
  };
}

/** One listening condition of {@link intelligibilityTest}: corpus-level and per-sentence error rates. */
export interface IntelligibilityCondition {
  condition: 'natural' | 'natural, Griffin-Lim' | 'synthesized' | 'synthesized, Griffin-Lim';
  errors: ErrorRate;
  perSentence: ErrorRate[];
  transcripts: string[];
}

/** log-mel → Griffin-Lim waveform → log-mel again, with the corpus's own feature options. */
export function griffinLimRoundTrip(mel: AudioMatrix, options: LogMelOptions, iterations: number, seed: number) {
  const signal = griffinLimFromMel(mel, { ...options, logInput: true, iterations, seed }).signal;
  return { signal, mel: logMel(signal, options) };
}

/**
 * The acceptance test of a teacher (issue 20, item 4): each text synthesized free-running
 * (dropout masks from `seed`), and the listener transcribing four versions of each sentence —
 * the natural log-mel, the natural log-mel through Griffin-Lim and back, the synthesized log-mel
 * (after the post-net), and that through Griffin-Lim and back. Error rates are characters
 * against the sentence without punctuation (S, D, I and N kept, per sentence too, for paired
 * statistics); `features` is the corpus's feature spec (its manifest's `features`).
 */
export function intelligibilityTest(
  model: Tacotron2,
  listener: Listener,
  pairs: readonly TextMel[],
  opts: { seed: number; features: SpeechFeatureSpec; griffinLimIterations: number },
): { conditions: IntelligibilityCondition[]; syntheses: Synthesis[]; griffinLimSignals: Float32Array[] } {
  checkArgs('intelligibilityTest')
    .require(Array.isArray(pairs) && pairs.length > 0, "argument 'pairs' expected at least one { text, mel }")
    .number('opts.seed', opts?.seed, { integer: true })
    .number('opts.griffinLimIterations', opts.griffinLimIterations, { integer: true, min: 1 })
    .require(opts.features?.kind === 'log-mel', "argument 'opts.features' expected a log-mel feature spec");
  const melOptions = opts.features.options as unknown as LogMelOptions;
  const melConfig = logMelConfigOf(opts.features);
  const syntheses = synthesize(model, pairs, { seed: opts.seed });
  const natural = pairs.map((p) => p.mel);
  const synthesized = syntheses.map((s) => s.mel);
  const roundTrip = (mels: AudioMatrix[]) =>
    mels.map((m, i) => griffinLimRoundTrip(m, melOptions, opts.griffinLimIterations, opts.seed + i));
  const naturalGl = roundTrip(natural);
  const synthesizedGl = roundTrip(synthesized);
  const refs = pairs.map((p) => stripPunctuation(p.text));
  const condition = (name: IntelligibilityCondition['condition'], mels: AudioMatrix[]): IntelligibilityCondition => {
    const transcripts = transcribeLogMel(listener, mels, melConfig);
    return {
      condition: name,
      errors: characterErrorRate(refs, transcripts),
      perSentence: refs.map((r, i) => characterErrorRate([r], [transcripts[i]])),
      transcripts,
    };
  };
  return {
    conditions: [
      condition('natural', natural),
      condition(
        'natural, Griffin-Lim',
        naturalGl.map((g) => g.mel),
      ),
      condition('synthesized', synthesized),
      condition(
        'synthesized, Griffin-Lim',
        synthesizedGl.map((g) => g.mel),
      ),
    ],
    syntheses,
    griffinLimSignals: synthesizedGl.map((g) => Float32Array.from(g.signal)),
  };
}

/**
 * One in-domain sentence measured against its natural recording (notebook 06's stand-in for MOS):
 * the DTW mel error (./evaluation.ts `dtwMelError`, per log-mel value) and the listener's
 * character errors S + D + I out of the sentence's N characters.
 */
export interface InDomainScore {
  melError: number;
  errors: number;
  characters: number;
}

const scoreOf = (ref: string, heard: string, melError: number): InDomainScore => {
  const e = characterErrorRate([ref], [heard]);
  return { melError, errors: e.substitutions + e.deletions + e.insertions, characters: e.refLength };
};

/**
 * Each pair's text synthesized free-running (dropout masks from `seed`); per sentence, the mel
 * after the post-net against the natural one (DTW mel error) and the listener's transcript of it
 * (read directly, as the hard-set measure does).
 */
export function inDomainScores(
  model: Tacotron2,
  listener: Listener,
  pairs: readonly TextMel[],
  opts: { seed: number; melConfig: LogMelConfig },
): InDomainScore[] {
  checkArgs('inDomainScores')
    .require(Array.isArray(pairs) && pairs.length > 0, "argument 'pairs' expected at least one { text, mel }")
    .number('opts.seed', opts?.seed, { integer: true })
    .require(opts.melConfig !== undefined, "argument 'opts.melConfig' expected the corpus's log-mel configuration");
  const syntheses = synthesize(model, pairs, { seed: opts.seed });
  const heard = transcribeLogMel(
    listener,
    syntheses.map((s) => s.mel),
    opts.melConfig,
  );
  return pairs.map((p, i) => scoreOf(stripPunctuation(p.text), heard[i], dtwMelError(syntheses[i].mel, p.mel)));
}

/**
 * The floor of {@link inDomainScores} on the same sentences: the mel error of the natural log-mel
 * through Griffin-Lim and back (what the vocoder alone costs; seed + i for sentence i), and the
 * listener's errors on the natural recording (what the listener alone costs).
 */
export function naturalInDomainScores(
  listener: Listener,
  pairs: readonly TextMel[],
  opts: { features: SpeechFeatureSpec; griffinLimIterations: number; seed: number },
): InDomainScore[] {
  checkArgs('naturalInDomainScores')
    .require(Array.isArray(pairs) && pairs.length > 0, "argument 'pairs' expected at least one { text, mel }")
    .number('opts.griffinLimIterations', opts?.griffinLimIterations, { integer: true, min: 1 })
    .number('opts.seed', opts.seed, { integer: true })
    .require(opts.features?.kind === 'log-mel', "argument 'opts.features' expected a log-mel feature spec");
  const options = opts.features.options as unknown as LogMelOptions;
  const heard = transcribeLogMel(
    listener,
    pairs.map((p) => p.mel),
    logMelConfigOf(opts.features),
  );
  return pairs.map((p, i) => {
    const roundTrip = griffinLimRoundTrip(p.mel, options, opts.griffinLimIterations, opts.seed + i).mel;
    return scoreOf(stripPunctuation(p.text), heard[i], dtwMelError(roundTrip, p.mel));
  });
}

/** Pooled CER Σ(S + D + I) / ΣN of a [seeds][sentences] grid, over the resampled rows and columns. */
function pooledCer(grid: readonly (readonly InDomainScore[])[], seeds: readonly number[], items: readonly number[]) {
  let [errors, characters] = [0, 0];
  for (const s of seeds)
    for (const i of items) {
      errors += grid[s][i].errors;
      characters += grid[s][i].characters;
    }
  return characters === 0 ? 0 : errors / characters;
}

const checkScoreGrid = (fn: string, name: string, grid: readonly (readonly InDomainScore[])[]) =>
  checkArgs(fn).require(
    Array.isArray(grid) &&
      grid.length > 0 &&
      grid.every((row) => Array.isArray(row) && row.length === grid[0].length && row.length > 0),
    `argument '${name}' expected a [seeds][sentences] grid of in-domain scores with equal, non-empty rows`,
  );

/** The pooled listener CER of a [seeds][sentences] grid with a bootstrap interval resampling both. */
export function inDomainCer(grid: readonly (readonly InDomainScore[])[]): Interval {
  checkScoreGrid('inDomainCer', 'grid', grid);
  return resampleInterval(grid.length, grid[0].length, (s, i) => pooledCer(grid, s, i));
}

/** Pooled CER of `a` minus that of `b`, paired on the same seeds and sentences. */
export function inDomainCerDifference(
  a: readonly (readonly InDomainScore[])[],
  b: readonly (readonly InDomainScore[])[],
): PairedDifference {
  checkScoreGrid('inDomainCerDifference', 'a', a);
  checkScoreGrid('inDomainCerDifference', 'b', b);
  checkArgs('inDomainCerDifference').require(
    a.length === b.length && a[0].length === b[0].length,
    `arguments 'a' and 'b' expected the same [seeds][sentences] grid but got ` +
      `${a.length}×${a[0].length} and ${b.length}×${b[0].length}`,
  );
  return resampleDifference(a.length, a[0].length, (s, i) => pooledCer(a, s, i) - pooledCer(b, s, i));
}
