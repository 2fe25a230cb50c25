/**
 * What a Tacotron teacher's training log and its acceptance test measure (issue 20):
 *
 *   validation loss   Loss_f = MSE(ŷ, y) + MSE(ŷ_post, y) + BCE(stop), teacher-forced, on held-out
 *                     utterances (pre-net dropout on, as in training and synthesis; no L2 term)
 *   listener CER      the held-out sentences synthesized free-running, the mel after the post-net
 *                     transcribed by notebook 05's listener (greedy CTC), character error rate
 *                     against the sentence — beside the listener's CER on the natural recordings
 *                     of the same sentences, the floor the synthesis is judged against
 *
 * The listener reads the synthesized log-mel directly (converted to its filterbank features as it
 * does for speech-single); notebook 06 also passes the audio through Griffin-Lim and back.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { stripPunctuation } from '../../data/speechText';
import { ErrorRate, characterErrorRate } from '../../metrics/editDistance';
import type { LogMelConfig } from '../listener/features';
import { Listener, transcribeLogMel } from '../listener/transcribe';
import { TextMel, disposeTacotronBatch, makeTacotronBatch } from './batch';
import type { Tacotron2 } from './config';
import { decoderContext, runDecoder } from './decoder';
import { encoderForward } from './encoder';
import { maskedMse, stopTokenBce } from './losses';
import { postnetForward } from './postnet';
import { synthesize } from './synthesize';

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
