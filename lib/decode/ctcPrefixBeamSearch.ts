/**
 * CTC prefix beam search: an approximate search for the most likely *labelling*
 * l* = argmax_l p(l | u) = argmax_l Σ_{π ∈ B⁻¹(l)} Π_t y_t(π_t), summing over paths as it goes.
 *
 * Each hypothesis is a prefix ℓ with two probabilities after frame t: p_b(ℓ) of the paths
 * collapsing to ℓ whose last symbol is a blank, and p_nb(ℓ) of those ending in ℓ's last
 * label. From frame t to t + 1, with y = y_{t+1}:
 *
 *   blank:                  p_b'(ℓ)   += (p_b(ℓ) + p_nb(ℓ)) · y(∅)
 *   repeat last label e:    p_nb'(ℓ)  += p_nb(ℓ) · y(e)             (merges into ℓ)
 *   new label k (≠ e):      p_nb'(ℓk) += (p_b(ℓ) + p_nb(ℓ)) · y(k)
 *   k = e after a blank:    p_nb'(ℓe) += p_b(ℓ) · y(e)              (a blank separates the two e's)
 *
 * and only the `beamWidth` prefixes with the largest p_b + p_nb survive. All in log space.
 * With beamWidth = 1 it is close to, but not the same as, greedy decoding.
 *
 * With a label language model (shallow fusion, Hannun et al., 2014) every new label k is
 * weighed by P_LM(k | ℓ)^α, and prefixes are ranked by log(p_b + p_nb) + β·|ℓ|; at the end,
 * α·log P_LM(end | ℓ) is added. α trades the acoustics against the text's regularities; β
 * offsets the LM's pull towards short outputs. A language model also fills in words the
 * audio lacks, so it must not be used when deletions are what is being measured.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';
import { logAddExp } from '../losses/ctc';
import { LabelLanguageModel } from './labelNgram';

/** Shallow fusion of a label language model: its weight α and the length bonus β per label. */
export interface LanguageModelFusion {
  model: LabelLanguageModel;
  weight: number;
  lengthBonus: number;
}

/** A prefix as a node of the trie of prefixes: extending it by a label is one map lookup. */
class Prefix {
  readonly children = new Map<number, Prefix>();
  private textLogP?: Float64Array;
  constructor(
    readonly parent: Prefix | null,
    readonly label: number,
    readonly length: number,
  ) {}

  child(label: number): Prefix {
    let c = this.children.get(label);
    if (!c) this.children.set(label, (c = new Prefix(this, label, this.length + 1)));
    return c;
  }

  /** Its labels, oldest first (the last `limit` of them, if given). */
  labels(limit = Infinity): number[] {
    const out: number[] = [];
    for (let p: Prefix | null = this; p?.parent && out.length < limit; p = p.parent) out.push(p.label);
    return out.reverse();
  }

  /** log P_LM(· | this prefix), asked of the model once per prefix. */
  nextTextLogP(model: LabelLanguageModel): Float64Array {
    return (this.textLogP ??= model.nextLogProbs(this.labels(model.order - 1)));
  }
}

interface Beam {
  prefix: Prefix;
  logB: number;
  logNb: number;
}

const total = (b: Beam): number => logAddExp(b.logB, b.logNb);

/** Prefix beam search over one sequence's log-probabilities, row-major [T, C]. */
function searchOne(
  logProbs: Float32Array,
  T: number,
  C: number,
  opts: { beamWidth: number; blank: number; pruneBelow: number; lm?: LanguageModelFusion },
): number[] {
  const { beamWidth, blank, pruneBelow, lm } = opts;
  const rank = (b: Beam): number => total(b) + (lm ? lm.lengthBonus * b.prefix.length : 0);
  let beams: Beam[] = [{ prefix: new Prefix(null, -1, 0), logB: 0, logNb: -Infinity }];
  for (let t = 0; t < T; t++) {
    const y = logProbs.subarray(t * C, (t + 1) * C);
    const next = new Map<Prefix, Beam>();
    const at = (prefix: Prefix): Beam => {
      let b = next.get(prefix);
      if (!b) next.set(prefix, (b = { prefix, logB: -Infinity, logNb: -Infinity }));
      return b;
    };
    for (const beam of beams) {
      const all = total(beam);
      const stay = at(beam.prefix);
      stay.logB = logAddExp(stay.logB, all + y[blank]);
      const last = beam.prefix.label;
      if (last >= 0) stay.logNb = logAddExp(stay.logNb, beam.logNb + y[last]);
      const textLogP = lm && beam.prefix.nextTextLogP(lm.model);
      for (let k = 0; k < C; k++) {
        if (k === blank || y[k] < pruneBelow) continue;
        const grown = at(beam.prefix.child(k));
        const text = textLogP ? lm.weight * textLogP[k] : 0;
        grown.logNb = logAddExp(grown.logNb, (k === last ? beam.logB : all) + y[k] + text);
      }
    }
    beams = [...next.values()].sort((a, b) => rank(b) - rank(a)).slice(0, beamWidth);
  }
  const final = (b: Beam): number => rank(b) + (lm ? lm.weight * b.prefix.nextTextLogP(lm.model)[blank] : 0);
  return beams.reduce((best, b) => (final(b) > final(best) ? b : best)).prefix.labels();
}

/**
 * @param logits [N, T, C] unnormalised scores (a log-softmax is taken per frame)
 * @param inputLengths frames of each sequence, in [1, T]
 * @param opts `beamWidth` (default 8), `blank` (default 0), `pruneBelow`: new labels whose
 *   frame log-probability is below it are not tried (default −∞: all are), `languageModel`
 *   (none by default; its id 0 must be the blank)
 * @returns the best labelling found for each sequence
 */
export function ctcPrefixBeamSearch(
  logits: tf.Tensor,
  inputLengths: number[],
  opts: { beamWidth?: number; blank?: number; pruneBelow?: number; languageModel?: LanguageModelFusion } = {},
): number[][] {
  const { beamWidth = 8, blank = 0, pruneBelow = -Infinity, languageModel: lm } = opts;
  const c = checkArgs('ctcPrefixBeamSearch').tensor('logits', logits, ['N', 'T', 'C'], 'float32');
  const { N, T, C } = c.dims;
  c.number('beamWidth', beamWidth, { integer: true, min: 1 })
    .number('blank', blank, { integer: true, min: 0, max: C - 1 })
    .require(typeof pruneBelow === 'number' && !Number.isNaN(pruneBelow), `argument 'pruneBelow' expected a number`)
    .require(
      Array.isArray(inputLengths) && inputLengths.length === N,
      `argument 'inputLengths' expected N=${N} lengths`,
    );
  inputLengths.forEach((len, n) =>
    c.require(
      Number.isInteger(len) && len >= 1 && len <= T,
      `argument 'inputLengths' expected integers in [1, T=${T}] but element ${n} is ${len}`,
    ),
  );
  if (lm)
    c.require(
      lm.model?.vocabSize === C && blank === 0,
      `argument 'languageModel' expected a model over the C=${C} labels with blank 0 ` +
        `but got vocabSize ${lm.model?.vocabSize}, blank ${blank}`,
    )
      .number('languageModel.weight', lm.weight, { min: 0 })
      .number('languageModel.lengthBonus', lm.lengthBonus);
  const lp = tf.tidy(() => tf.logSoftmax(logits, 2));
  const all = lp.dataSync() as Float32Array;
  lp.dispose();
  return inputLengths.map((len, n) =>
    searchOne(all.subarray(n * T * C, (n * T + len) * C), len, C, { beamWidth, blank, pruneBelow, lm }),
  );
}
