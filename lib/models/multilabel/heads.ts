/**
 * Three ways to predict several label categories (e.g. item and colour) from one image,
 * after Odetola et al., "A Scalable Multilabel Classification to Deploy Deep Learning
 * Architectures for Edge Devices":
 *
 * - **Proposed**: one frozen backbone, one trained shared Dense(hidden, ReLU) layer, one
 *   softmax head per category; loss = Σ_k CE_k, accuracy reported per category.
 * - **HC** (hard-coded joint labels): the same trunk with one softmax over the joint classes
 *   (the label combinations seen in training) — it cannot name a combination it never saw.
 * - **nM**: one full model per category, each with its own backbone copy and its own
 *   Dense(hidden) → softmax head.
 *
 * With `hidden: 0` every variant is *heads only* (no Dense(hidden) layer): the paper's
 * GoogleNet/SqueezeNet case, where the trained layers of Proposed and nM are the same heads
 * (equal trained MACCs) and HC's one head over J joint classes costs J/Σ_k C_k times theirs.
 *
 * Each builder returns the deployable image → logits `model` and the trainable `head`
 * (features → logits) it contains; training the head on pre-computed backbone features
 * updates the same weights the deployable model uses.
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { copyBackbone } from './backbone';

/** A label category: its name and number of classes. */
export interface LabelCategory {
  name: string;
  classes: number;
}

/** A deployable model and the trainable head inside it (and, for nM, its own backbone copy). */
export interface HeadedModel {
  model: tf.LayersModel;
  head: tf.LayersModel;
  ownBackbone?: tf.Sequential;
}

/**
 * Frees the weights a builder made: the head's and, for nM, its own backbone copy's. The
 * variables are disposed one by one, because `model.dispose()` of a composed model would also
 * dispose a backbone it shares with other models (tfjs counts a nested model's references
 * per container). The model cannot be used afterwards.
 */
export function disposeHeadedModel(m: HeadedModel): void {
  checkArgs('disposeHeadedModel').require(
    m?.model instanceof tf.LayersModel && m.head instanceof tf.LayersModel,
    'expected { model, head } from a multilabel builder',
  );
  for (const w of [...m.head.weights, ...(m.ownBackbone?.weights ?? [])]) w.dispose();
}

function checkCategories(fn: string, categories: LabelCategory[]): void {
  checkArgs(fn).require(
    Array.isArray(categories) &&
      categories.length > 0 &&
      categories.every((c) => typeof c.name === 'string' && Number.isInteger(c.classes) && c.classes >= 2),
    'categories must be a non-empty list of { name, classes ≥ 2 }',
  );
}

/**
 * features [N, F] → Dense(hidden, ReLU) → one Dense(classes) logits output per category.
 * `hidden: 0` leaves the shared layer out (heads only): each head is Dense(classes) on the
 * features themselves, as when the backbone ends in its own pooled feature vector.
 */
export function buildSoftmaxHeads(opts: {
  inputDim: number;
  hidden: number;
  categories: LabelCategory[];
  seed: number;
  name?: string;
}): tf.LayersModel {
  checkArgs('buildSoftmaxHeads')
    .number('inputDim', opts?.inputDim, { integer: true, min: 1 })
    .number('hidden', opts.hidden, { integer: true, min: 0 })
    .number('seed', opts.seed, { integer: true });
  checkCategories('buildSoftmaxHeads', opts.categories);
  const rng = new Rng(opts.seed);
  const glorot = (): ReturnType<typeof tf.initializers.glorotUniform> =>
    tf.initializers.glorotUniform({ seed: rng.nextUint32() });
  const prefix = opts.name ?? 'head';
  const input = tf.input({ shape: [opts.inputDim] });
  const trunk =
    opts.hidden === 0
      ? input
      : (tf.layers
          .dense({ units: opts.hidden, activation: 'relu', kernelInitializer: glorot() })
          .apply(input) as tf.SymbolicTensor);
  const outputs = opts.categories.map(
    (c) =>
      tf.layers
        .dense({
          units: c.classes,
          kernelInitializer: glorot(),
          name: `${prefix}_${c.name}_${rng.nextUint32().toString(36)}`,
        })
        .apply(trunk) as tf.SymbolicTensor,
  );
  return tf.model({ inputs: input, outputs, name: `${prefix}_${rng.nextUint32().toString(36)}` });
}

/** image → backbone → head, as one deployable model. */
function compose(backbone: tf.LayersModel, head: tf.LayersModel, name: string): tf.LayersModel {
  const input = tf.input({ shape: backbone.inputs[0].shape.slice(1) as number[] });
  const features = backbone.apply(input) as tf.SymbolicTensor;
  const outputs = head.apply(features) as tf.SymbolicTensor | tf.SymbolicTensor[];
  return tf.model({ inputs: input, outputs, name });
}

function featureDim(backbone: tf.LayersModel): number {
  return backbone.outputs[0].shape[1] as number;
}

/** Proposed: frozen backbone, shared Dense(hidden) (none if 0), one softmax head per category. */
export function buildProposedModel(
  backbone: tf.LayersModel,
  categories: LabelCategory[],
  opts: { hidden: number; seed: number },
): HeadedModel {
  checkCategories('buildProposedModel', categories);
  const head = buildSoftmaxHeads({
    inputDim: featureDim(backbone),
    hidden: opts.hidden,
    categories,
    seed: opts.seed,
    name: 'proposed',
  });
  return { model: compose(backbone, head, `proposed_${opts.seed}`), head };
}

/** HC: one softmax over `jointClasses` combinations (see {@link jointLabelIndex}). */
export function buildJointModel(
  backbone: tf.LayersModel,
  jointClasses: number,
  opts: { hidden: number; seed: number },
): HeadedModel {
  const head = buildSoftmaxHeads({
    inputDim: featureDim(backbone),
    hidden: opts.hidden,
    categories: [{ name: 'joint', classes: jointClasses }],
    seed: opts.seed,
    name: 'hc',
  });
  return { model: compose(backbone, head, `hc_${opts.seed}`), head };
}

/** nM: one model per category, each with its own frozen copy of `backbone` and its own head. */
export function buildSeparateModels(
  backbone: tf.Sequential,
  categories: LabelCategory[],
  opts: { hidden: number; seed: number },
): HeadedModel[] {
  checkCategories('buildSeparateModels', categories);
  const rng = new Rng(opts.seed);
  return categories.map((c) => {
    const own = copyBackbone(backbone, { seed: rng.nextUint32() | 0 });
    const head = buildSoftmaxHeads({
      inputDim: featureDim(own),
      hidden: opts.hidden,
      categories: [c],
      seed: rng.nextUint32() | 0,
      name: `m_${c.name}`,
    });
    return { model: compose(own, head, `m_${c.name}_${opts.seed}`), head, ownBackbone: own };
  });
}

/**
 * Joint ("hard-coded") labels: the class id of each example's label combination in the list
 * `combos` of allowed combinations, or −1 when the combination is not in the list.
 * `labels[k][n]` is example n's label in category k; a combo is one label per category.
 */
export function jointLabelIndex(
  labels: readonly (readonly number[])[],
  combos: readonly (readonly number[])[],
): number[] {
  checkArgs('jointLabelIndex')
    .require(
      labels.length > 0 && labels.every((l) => l.length === labels[0].length),
      'labels must be one equally long array per category',
    )
    .require(
      combos.every((c) => c.length === labels.length),
      `every combo must have ${labels.length} entries`,
    );
  const index = new Map(combos.map((c, i) => [c.join(','), i]));
  return labels[0].map((_, n) => index.get(labels.map((l) => l[n]).join(',')) ?? -1);
}
