/**
 * What the multimodal-emotion corpus says and how each modality carries it (issue 11): the
 * six emotions with MOSEI-like priors, the lexicon and templates of the sentences, the
 * per-modality cue model (which emotions each modality expresses, how often, and the false
 * cues it adds), the prosody controls of the audio and the facial expression of each emotion.
 *
 * Generative story of one utterance (all draws from one seeded Rng):
 *   1. labels: emotion k present with prior P_k (disgust more likely given anger), Likert
 *      intensity I_k ∈ {1, 2, 3} (P = .5, .35, .15); absent → 0.
 *   2. cues, per modality m ∈ {text, audio, visual}: a present emotion is expressed in m with
 *      probability Q[m][k] at its own intensity; an absent one is falsely expressed with
 *      probability FALSE_CUE[m] at intensity 1–2 (the conflicting cues).
 *   3. text from the text cues (≤ 2 emotion words, an adverb for the intensity), audio from the
 *      audio cues (sox prosody on the voice), face from the visual cues (expression vector).
 */
import { Rng } from '../../lib';

export const EMOTIONS = ['happy', 'sad', 'anger', 'fear', 'disgust', 'surprise'] as const;
export type Modality = 'text' | 'audio' | 'visual';
export const MODALITIES: readonly Modality[] = ['text', 'audio', 'visual'];

/** P(emotion present), imbalanced as in CMU-MOSEI (happiness most frequent, fear and surprise rare). */
export const PRIOR = [0.5, 0.27, 0.2, 0.09, 0.15, 0.1];
/** P(disgust present | anger present) (anger and disgust co-occur in MOSEI). */
export const DISGUST_GIVEN_ANGER = 0.45;
/** P(intensity 1, 2, 3) of a present emotion. */
export const INTENSITY = [0.5, 0.35, 0.15];

/** Q[m][k]: probability that modality m expresses a present emotion k (text strongest). */
export const Q: Record<Modality, number[]> = {
  text: [0.85, 0.8, 0.8, 0.75, 0.75, 0.8],
  visual: [0.75, 0.55, 0.6, 0.5, 0.6, 0.7],
  audio: [0.45, 0.55, 0.6, 0.5, 0.35, 0.45],
};
/** Probability that modality m expresses an absent emotion (a conflicting cue), per emotion. */
export const FALSE_CUE: Record<Modality, number> = { text: 0.04, visual: 0.06, audio: 0.08 };

export interface UtterancePlan {
  /** Likert intensity 0–3 per emotion (EMOTIONS order). */
  labels: number[];
  /** Expressed intensity 0–3 per emotion and modality. */
  cues: Record<Modality, number[]>;
  text: string;
  speaker: number;
}

function intensity(rng: Rng): number {
  const u = rng.uniform();
  return u < INTENSITY[0] ? 1 : u < INTENSITY[0] + INTENSITY[1] ? 2 : 3;
}

/** Step 1 of the story: Likert labels. */
export function drawLabels(rng: Rng): number[] {
  const labels = PRIOR.map((p) => (rng.uniform() < p ? intensity(rng) : 0));
  if (labels[2] > 0 && labels[4] === 0 && rng.uniform() < DISGUST_GIVEN_ANGER) labels[4] = intensity(rng);
  return labels;
}

/** Step 2: what modality m expresses. */
export function drawCues(labels: number[], m: Modality, rng: Rng): number[] {
  return labels.map((I, k) => {
    const u = rng.uniform();
    if (I > 0) return u < Q[m][k] ? I : 0;
    return u < FALSE_CUE[m] ? 1 + rng.int(2) : 0;
  });
}

const WORDS: string[][] = [
  ['happy', 'glad', 'delighted', 'cheerful', 'joyful'],
  ['sad', 'gloomy', 'unhappy', 'miserable', 'lonely'],
  ['angry', 'furious', 'annoyed', 'irritated', 'mad'],
  ['afraid', 'scared', 'terrified', 'nervous', 'worried'],
  ['disgusted', 'sickened', 'revolted', 'repulsed', 'nauseated'],
  ['surprised', 'amazed', 'astonished', 'shocked', 'stunned'],
];
/** The emotion lexicon (written for the project): five words per emotion. */
export const LEXICON: Record<string, string[]> = Object.fromEntries(EMOTIONS.map((e, k) => [e, WORDS[k]]));
const ADVERB = ['', 'slightly ', '', 'very '];
const NOUNS = [
  'garden',
  'letter',
  'meeting',
  'train',
  'dinner',
  'news',
  'house',
  'party',
  'film',
  'storm',
  'market',
  'office',
  'visit',
  'exam',
  'game',
  'river',
  'story',
  'doctor',
];
const ONE = [
  'i feel {E} about the {N}',
  'the {N} made me {E}',
  'she was {E} after the {N}',
  'we felt {E} at the {N}',
  'he is {E} about the {N}',
];
const TWO = ['i am {E} and {F} today', 'the {N} left us {E} and {F}', 'she felt {E} and {F}'];
const NEUTRAL = [
  'the {N} is near the {M}',
  'we walked to the {N} today',
  'she opened the {N} again',
  'they talked about the {N}',
  'he went to the {N} at noon',
];

/** Step 3 (text): the sentence for the text cues — the (up to) two strongest expressed emotions. */
export function sentence(cues: number[], rng: Rng): string {
  const shown = cues.map((I, k) => ({ I, k })).filter((c) => c.I > 0);
  rng.shuffle(shown);
  shown.sort((a, b) => b.I - a.I);
  const word = (c: { I: number; k: number }): string => ADVERB[c.I] + WORDS[c.k][rng.int(WORDS[c.k].length)];
  const pick = <T>(xs: T[]): T => xs[rng.int(xs.length)];
  const noun = pick(NOUNS);
  let other = pick(NOUNS);
  while (other === noun) other = pick(NOUNS);
  const template = shown.length === 0 ? pick(NEUTRAL) : shown.length === 1 ? pick(ONE) : pick(TWO);
  return template
    .replace('{N}', noun)
    .replace('{M}', other)
    .replace('{E}', shown[0] ? word(shown[0]) : '')
    .replace('{F}', shown[1] ? word(shown[1]) : '');
}

/**
 * Audio prosody: sox effects for the audio cues a_k = I_k / 3 and a per-utterance jitter —
 *   pitch (cents) = 250 a_happy − 250 a_sad + 50 a_anger + 200 a_fear − 100 a_disgust + 350 a_surprise + N(0, 80²)
 *   tempo         = (1 + .12 a_happy − .18 a_sad + .12 a_anger + .2 a_fear − .12 a_disgust)(1 + N(0, .04²))
 *   overdrive     = 15 a_anger + 8 a_disgust (voice quality: harshness), tremolo 7 Hz depth 60 a_fear (tremor)
 *   gain (dB)     = −4 + 2 a_happy − 6 a_sad + 5 a_anger + 3 a_surprise  (loudness)
 */
export function prosodyEffects(cues: number[], rng: Rng): string[] {
  const a = cues.map((I) => I / 3);
  const [hap, sad, ang, fear, dis, sur] = a;
  const pitch = 250 * hap - 250 * sad + 50 * ang + 200 * fear - 100 * dis + 350 * sur + 80 * rng.normal();
  const tempo = (1 + 0.12 * hap - 0.18 * sad + 0.12 * ang + 0.2 * fear - 0.12 * dis) * (1 + 0.04 * rng.normal());
  const gain = -4 + 2 * hap - 6 * sad + 5 * ang + 3 * sur;
  const fx = ['pitch', pitch.toFixed(0), 'tempo', '-s', tempo.toFixed(3)];
  const drive = 15 * ang + 8 * dis;
  if (drive > 0) fx.push('overdrive', drive.toFixed(1));
  if (fear > 0) fx.push('tremolo', '7', (60 * fear).toFixed(0));
  fx.push('gain', gain.toFixed(1));
  return fx;
}

/** The facial expression parameters the renderer draws (and the face CNN is trained to read). */
export interface Expression {
  /** Brows up (+) or down (−). */
  browRaise: number;
  /** Inner brow ends up (+, sad/fear) or down (−, anger). */
  browTilt: number;
  /** Mouth corners up (+) or down (−). */
  smile: number;
  /** Eye opening, 1 = neutral. */
  eyeOpen: number;
  /** One-sided upper-lip raise (the sneer of disgust). */
  sneer: number;
  /** Extra jaw drop on top of the speech (surprise, fear). */
  jaw: number;
}

/** Expression per unit of each emotion (EMOTIONS order), scaled by I / 3 and summed over the visual cues. */
const FACE: Expression[] = [
  { browRaise: 0.1, browTilt: 0, smile: 1, eyeOpen: -0.3, sneer: 0, jaw: 0 },
  { browRaise: -0.2, browTilt: 0.9, smile: -0.8, eyeOpen: -0.25, sneer: 0, jaw: 0 },
  { browRaise: -0.7, browTilt: -1, smile: -0.3, eyeOpen: -0.2, sneer: 0, jaw: 0 },
  { browRaise: 0.7, browTilt: 0.6, smile: -0.2, eyeOpen: 0.6, sneer: 0, jaw: 0.3 },
  { browRaise: -0.3, browTilt: -0.2, smile: -0.4, eyeOpen: -0.4, sneer: 1, jaw: 0 },
  { browRaise: 1, browTilt: 0.1, smile: 0, eyeOpen: 0.8, sneer: 0, jaw: 0.5 },
];
export const EXPRESSION_KEYS: readonly (keyof Expression)[] = [
  'browRaise',
  'browTilt',
  'smile',
  'eyeOpen',
  'sneer',
  'jaw',
];

/** The face of the visual cues plus per-utterance noise N(0, 0.15²) on every parameter. */
export function expressionOf(cues: number[], rng: Rng): Expression {
  const e: Expression = { browRaise: 0, browTilt: 0, smile: 0, eyeOpen: 1, sneer: 0, jaw: 0 };
  cues.forEach((I, k) => {
    for (const key of EXPRESSION_KEYS) e[key] += (I / 3) * FACE[k][key];
  });
  for (const key of EXPRESSION_KEYS) e[key] += 0.15 * rng.normal();
  e.eyeOpen = Math.max(0.2, e.eyeOpen);
  e.jaw = Math.max(0, e.jaw);
  e.sneer = Math.max(0, e.sneer);
  return e;
}

const SUBJECTS = ['i', 'we', 'they', 'she', 'he', 'nobody', 'everyone', 'somebody', 'the teacher', 'my brother'];
const VERBS = [
  'walked to',
  'looked at',
  'talked about',
  'waited near',
  'painted',
  'cleaned',
  'visited',
  'passed',
  'found',
  'opened',
  'closed',
  'left',
  'carried',
  'read about',
  'drove past',
  'asked about',
];
const MORE_NOUNS = ['window', 'kitchen', 'bridge', 'station', 'library', 'bicycle', 'table', 'school', 'bakery'];
const WHEN = ['today', 'yesterday', 'at noon', 'in the morning', 'after lunch', 'on monday', 'before dinner', 'again'];

/**
 * An emotion-neutral sentence for the pre-training corpus: "{subject} {verb} the {noun} {when}"
 * or "{subject} {verb} the {noun} by the {other noun}" — none of the lexicon's words, so a model
 * pre-trained on such sentences cannot learn the emotion words from them (≤ 9 words).
 */
export function neutralSentence(rng: Rng): string {
  const pick = <T>(xs: T[]): T => xs[rng.int(xs.length)];
  const nouns = [...NOUNS, ...MORE_NOUNS];
  const noun = pick(nouns);
  let other = pick(nouns);
  while (other === noun) other = pick(nouns);
  const head = `${pick(SUBJECTS)} ${pick(VERBS)} the ${noun}`;
  return rng.uniform() < 0.6 ? `${head} ${pick(WHEN)}` : `${head} by the ${other}`;
}
