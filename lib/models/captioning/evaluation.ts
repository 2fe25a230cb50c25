/**
 * Evaluation of a trained caption decoder on one split of the fashion scenes: greedy
 * captions, corpus BLEU-1…4 against the one reference per scene and against every phrasing the
 * grammar gives the scene (lib/data/sceneGrammar.ts), what the captions get
 * right per attribute ({@link captionAccuracy}), and for the attention decoder the
 * attention mass on the cell each word names ({@link attentionOnNamedCells}).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import { corpusBleu } from '../../metrics/bleu';
import { tokenizeCaption } from '../../data/captions';
import type { SceneItem } from '../../data/fashionScenes';
import { scenePhrasings } from '../../data/sceneGrammar';
import { CaptioningRNN, CaptionSample } from './captioningRnn';
import {
  attentionOnNamedCells,
  captionAccuracy,
  CaptionAccuracy,
  NamedCellAttention,
  SceneVocabulary,
  scoreCaption,
} from './analysis';

/** A split to evaluate on: features shaped for the decoder, reference texts and the scenes' objects. */
export interface CaptionEvalSet extends SceneVocabulary {
  features: tf.Tensor;
  captionTexts: readonly string[];
  items: readonly (readonly SceneItem[])[];
}

export interface CaptionEvaluation {
  sample: CaptionSample;
  /** Corpus BLEU-1 … BLEU-4 against the scene's reference caption. */
  bleu: number[];
  /** Corpus BLEU-1 … BLEU-4 against every phrasing of the scene (a right caption phrased otherwise loses nothing). */
  bleuAllPhrasings: number[];
  accuracy: CaptionAccuracy;
  /** 1 where the scene's caption is correct, else 0 (one per scene, for paired comparisons). */
  correctPerScene: number[];
  /** Attention decoder only. */
  namedCell: NamedCellAttention | null;
}

/**
 * Greedy captions of `set` (at most `maxLength` words) scored by BLEU, per attribute and
 * (attention) by where they look.
 */
export function evaluateCaptioner(model: CaptioningRNN, set: CaptionEvalSet, maxLength: number): CaptionEvaluation {
  checkArgs('evaluateCaptioner')
    .tensor('set.features', set?.features, ['N', ...model.featureSpec.slice(1)], 'float32')
    .require(
      set.captionTexts.length === set.features.shape[0] && set.items.length === set.features.shape[0],
      `set.captionTexts (${set.captionTexts.length}) and set.items (${set.items.length}) ` +
        `must have one entry per scene (${set.features.shape[0]})`,
    );
  const sample = model.sample(set.features, maxLength);
  const refs = set.captionTexts.map((text) => [tokenizeCaption(text)]);
  const { bleu } = corpusBleu(sample.words, refs);
  const allRefs = set.items.map((objects) => scenePhrasings(objects, set).map(tokenizeCaption));
  const bleuAllPhrasings = corpusBleu(sample.words, allRefs).bleu;
  const accuracy = captionAccuracy(sample.words, set.items, set);
  const correctPerScene = sample.words.map((w, n) => (scoreCaption(w, set.items[n], set).correct ? 1 : 0));
  const namedCell = sample.attention ? attentionOnNamedCells(sample.words, sample.attention, set.items, set) : null;
  return { sample, bleu, bleuAllPhrasings, accuracy, correctPerScene, namedCell };
}
