/**
 * The pre-training corpus of notebook 08 (issue 23): its plan is deterministic, emotion-neutral
 * in every modality (no lexicon word, no cue, prosody of no cue) and its voices are disjoint from
 * every voice of the shipped corpus's labelled splits; the trainer's --corpus option.
 */
import { describe, expect, it } from 'vitest';
import { loadMultimodalEmotion } from '../lib/data/multimodalEmotion';
import { LEXICON, prosodyEffects } from '../scripts/datasets/multimodalPlan';
import { PRETRAIN_VOICES, makePretrainPlan } from '../scripts/datasets/multimodalPretrain';
import { PRETRAIN_CORPUS_UTTERANCES, parsePretrainArgs } from '../scripts/train/multimodal';
import { Rng } from '../lib';

describe('multimodal-pretrain plan', () => {
  const plan = makePretrainPlan(2000);

  it('is deterministic and a prefix of any longer plan', () => {
    expect(makePretrainPlan(2000)).toEqual(plan);
    expect(makePretrainPlan(50)).toEqual(plan.slice(0, 50));
  });

  it('says no emotion word, shows no cue, and has only the prosody every utterance has', () => {
    const lexicon = new Set(Object.values(LEXICON).flat());
    for (const u of plan) {
      expect(u.text.split(' ').filter((w) => lexicon.has(w))).toEqual([]);
      expect(u.text.split(' ').length).toBeLessThanOrEqual(9);
      for (const cues of Object.values(u.cues)) expect(cues.every((c) => c === 0)).toBe(true);
      expect(u.effects.filter((e) => ['overdrive', 'tremolo'].includes(e))).toEqual([]);
      const gain = u.effects[u.effects.indexOf('gain') + 1];
      expect(gain).toBe(prosodyEffects([0, 0, 0, 0, 0, 0], new Rng(1)).at(-1));
    }
    expect(new Set(plan.map((u) => u.text)).size).toBeGreaterThan(1500);
  });

  it('uses 48 distinct voices, none of them a voice of the labelled splits, each speaking', () => {
    const ids = PRETRAIN_VOICES.map((v) => v.id);
    expect(new Set(ids).size).toBe(48);
    const labelled = loadMultimodalEmotion({ split: 'dev', limit: 1 }).speakers.map((s) => s.id);
    expect(ids.filter((id) => labelled.includes(id))).toEqual([]);
    const variants = PRETRAIN_VOICES.map((v) => v.name.split('+')[1]);
    const labelledVariants = labelled.map((id) => id.split('+')[1]).filter((v) => v !== undefined);
    expect(variants.filter((v) => labelledVariants.includes(v))).toEqual([]);
    const perVoice = new Set(plan.map((u) => u.speaker));
    expect(perVoice.size).toBe(48);
  });
});

describe('npm run train -- multimodal-* --corpus', () => {
  it('defaults to the neutral corpus, and to the shipped split with --quick', () => {
    expect(parsePretrainArgs('multimodal-asr', []).corpus).toBe(PRETRAIN_CORPUS_UTTERANCES);
    expect(parsePretrainArgs('multimodal-asr', ['--quick']).corpus).toBe(0);
    expect(parsePretrainArgs('multimodal-asr', ['--corpus', '0'])).toMatchObject({
      corpus: 0,
      command: 'npm run train -- multimodal-asr --corpus 0',
    });
    expect(() => parsePretrainArgs('multimodal-asr', ['--corpus', '-3'])).toThrow(
      "train multimodal-asr: --corpus expects a whole number >= 0, got '-3'",
    );
  });
});
