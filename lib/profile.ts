/**
 * Cost of a deployed model (or of a set of models that together serve one request, such as
 * one model per label category): parameters, multiply–accumulates, bytes and latency.
 *
 * MACCs per layer, per input image (bias additions and activations are not counted):
 *   Conv2D:  Ho · Wo · kh · kw · Cin · Cout
 *   Dense:   in · out   (times the leading positions for inputs of rank > 2)
 *   pooling, flatten, activation, dropout, input: 0 — they compare or move values, no MACCs
 * A nested model used as a layer is counted layer by layer. Any other layer type with
 * weights throws, so a count is never silently wrong. `trainedLayerMaccs` counts only
 * layers whose weights train (trainable and with weights).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from './core/validate';

/** What {@link profileModel} measures. */
export interface ModelProfile {
  params: number;
  trainableParams: number;
  maccs: number;
  trainedLayerMaccs: number;
  /** Weight storage in float32: 4 · params. */
  bytes: number;
  /** Median wall time (ms) of one single-image forward pass (all models in turn) over `runs` runs after warm-up. */
  latencyMs: number;
  /** MACCs of each counted layer (name → MACCs), models in order. */
  layers: { name: string; className: string; maccs: number; trainable: boolean }[];
}

const ZERO_COST = new Set(['InputLayer', 'MaxPooling2D', 'AveragePooling2D', 'GlobalMaxPooling2D', 'GlobalAveragePooling2D', 'Flatten', 'Activation', 'Dropout', 'ReLU', 'Reshape', 'Softmax']);

function singleShape(layer: tf.layers.Layer): number[] {
  const shape = layer.outputShape as (number | null)[] | (number | null)[][];
  if (Array.isArray(shape[0])) throw new Error(`profileModel: layer '${layer.name}' has several outputs or call sites; not supported`);
  return (shape as (number | null)[]).map((d) => d ?? 1);
}

/** MACC rows of every layer of `model` (recursing into nested models), with each layer's trainability. */
function layerMaccs(model: tf.LayersModel, trainable: boolean, rows: ModelProfile['layers']): void {
  for (const layer of model.layers) {
    const className = layer.getClassName();
    const layerTrainable = trainable && layer.trainable;
    if (layer instanceof tf.LayersModel) {
      layerMaccs(layer, layerTrainable, rows);
      continue;
    }
    if (!ZERO_COST.has(className) && className !== 'Conv2D' && className !== 'Dense') {
      throw new Error(`profileModel: no MACC rule for layer '${layer.name}' of class ${className}`);
    }
    let maccs = 0;
    // BEGIN SOLUTION
    if (className === 'Conv2D') {
      const out = singleShape(layer);
      const kernel = layer.getWeights()[0].shape as number[]; // [kh, kw, Cin, Cout]
      maccs = out[1] * out[2] * kernel[0] * kernel[1] * kernel[2] * kernel[3];
    } else if (className === 'Dense') {
      const out = singleShape(layer);
      const kernel = layer.getWeights()[0].shape as number[]; // [in, out]
      const positions = out.slice(1, -1).reduce((a, b) => a * b, 1);
      maccs = positions * kernel[0] * kernel[1];
    }
    // END SOLUTION
    rows.push({ name: layer.name, className, maccs, trainable: layerTrainable && layer.countParams() > 0 });
  }
}

/**
 * Profiles `model` — or several models that together answer one request — on inputs of
 * shape `inputShape` (without the batch dimension). Latency: `warmup` passes, then the
 * median of `runs` (≥ 100) timed single-image passes, each read back to the CPU.
 */
export function profileModel(
  model: tf.LayersModel | tf.LayersModel[],
  inputShape: number[],
  opts: { runs?: number; warmup?: number } = {},
): ModelProfile {
  const models = Array.isArray(model) ? model : [model];
  const runs = opts.runs ?? 100;
  const warmup = opts.warmup ?? 10;
  const check = checkArgs('profileModel')
    .require(models.length > 0 && models.every((m) => m instanceof tf.LayersModel), 'model must be a tf.LayersModel or a non-empty array of them')
    .require(Array.isArray(inputShape) && inputShape.every((d) => Number.isInteger(d) && d > 0), `inputShape must be positive integers, got [${inputShape}]`)
    .number('runs', runs, { integer: true, min: 100 })
    .number('warmup', warmup, { integer: true, min: 0 });
  for (const m of models) {
    const expected = m.inputs[0].shape.slice(1);
    check.require(expected.length === inputShape.length && expected.every((d, i) => d === null || d === inputShape[i]), `model '${m.name}' expects inputs [${expected.map((d) => d ?? '?')}] but inputShape is [${inputShape}]`);
  }
  const layers: ModelProfile['layers'] = [];
  for (const m of models) layerMaccs(m, true, layers);
  const params = models.reduce((s, m) => s + m.countParams(), 0);
  const trainableParams = models.reduce((s, m) => s + m.trainableWeights.reduce((t, w) => t + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0), 0);

  const x = tf.zeros([1, ...inputShape]);
  const pass = (): void => {
    for (const m of models) {
      const y = m.predict(x) as tf.Tensor | tf.Tensor[];
      const ys = Array.isArray(y) ? y : [y];
      ys.forEach((t) => t.dataSync());
      tf.dispose(ys);
    }
  };
  for (let i = 0; i < warmup; i++) pass();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    pass();
    times.push(performance.now() - t0);
  }
  x.dispose();
  times.sort((a, b) => a - b);
  const mid = Math.floor(runs / 2);
  return {
    params,
    trainableParams,
    maccs: layers.reduce((s, l) => s + l.maccs, 0),
    trainedLayerMaccs: layers.reduce((s, l) => s + (l.trainable ? l.maccs : 0), 0),
    bytes: 4 * params,
    latencyMs: runs % 2 === 1 ? times[mid] : (times[mid - 1] + times[mid]) / 2,
    layers,
  };
}
