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
 *
 * Size is what deployment stores: the bytes of the model as tfjs serializes it (`model.save`
 * to an in-memory handler) — the topology JSON, the weight manifest and the float32 weight
 * data — summed over the models of a set.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

/** What {@link profileModel} measures. */
export interface ModelProfile {
  params: number;
  trainableParams: number;
  maccs: number;
  trainedLayerMaccs: number;
  /** Serialized size: topology JSON + weight manifest + weight data, in bytes. */
  bytes: number;
  /** The weight data alone (4 bytes per float32 parameter). */
  weightBytes: number;
  /** Median time (ms) of a single-image pass through all the models, `runs` runs after warm-up. */
  latencyMs: number;
  /** MACCs of each counted layer (name → MACCs), models in order. */
  layers: { name: string; className: string; maccs: number; trainable: boolean }[];
}

const ZERO_COST = new Set([
  'InputLayer',
  'MaxPooling2D',
  'AveragePooling2D',
  'GlobalMaxPooling2D',
  'GlobalAveragePooling2D',
  'Flatten',
  'Activation',
  'Dropout',
  'ReLU',
  'Reshape',
  'Softmax',
]);

function singleShape(layer: tf.layers.Layer): number[] {
  const shape = layer.outputShape as (number | null)[] | (number | null)[][];
  if (Array.isArray(shape[0])) {
    throw new Error(`profileModel: layer '${layer.name}' has several outputs or call sites`);
  }
  return (shape as (number | null)[]).map((d) => d ?? 1);
}

/** MACC rows of every layer of `model` (recursing into nested models), with their trainability. */
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
    const trained = layerTrainable && layer.countParams() > 0;
    rows.push({ name: layer.name, className, maccs, trainable: trained });
  }
}

/** MACCs of `model` (or of a set of models answering one request), layer by layer. */
export function countMaccs(
  model: tf.LayersModel | tf.LayersModel[],
): Pick<ModelProfile, 'maccs' | 'trainedLayerMaccs' | 'layers'> {
  const models = checkModels('countMaccs', model);
  const layers: ModelProfile['layers'] = [];
  for (const m of models) layerMaccs(m, true, layers);
  return {
    maccs: layers.reduce((s, l) => s + l.maccs, 0),
    trainedLayerMaccs: layers.reduce((s, l) => s + (l.trainable ? l.maccs : 0), 0),
    layers,
  };
}

/**
 * The serialized size of `model` (or the sum over a set): `model.save` into an in-memory
 * handler, then the byte counts of its topology JSON, weight manifest and weight data.
 */
export async function serializedBytes(
  model: tf.LayersModel | tf.LayersModel[],
): Promise<{ bytes: number; weightBytes: number; topologyBytes: number }> {
  const models = checkModels('serializedBytes', model);
  const total = { bytes: 0, weightBytes: 0, topologyBytes: 0 };
  for (const m of models) {
    let info: tf.io.ModelArtifactsInfo | undefined;
    await m.save(
      tf.io.withSaveHandler(async (artifacts) => {
        info = tf.io.getModelArtifactsInfoForJSON(artifacts);
        return { modelArtifactsInfo: info };
      }),
    );
    const { modelTopologyBytes = 0, weightSpecsBytes = 0, weightDataBytes = 0 } = info!;
    total.bytes += modelTopologyBytes + weightSpecsBytes + weightDataBytes;
    total.weightBytes += weightDataBytes;
    total.topologyBytes += modelTopologyBytes;
  }
  return total;
}

function checkModels(fn: string, model: tf.LayersModel | tf.LayersModel[]): tf.LayersModel[] {
  const models = Array.isArray(model) ? model : [model];
  const got = Array.isArray(model) ? `an array of ${model.length}` : typeof model;
  checkArgs(fn).require(
    models.length > 0 && models.every((m) => m instanceof tf.LayersModel),
    `argument 'model' expected a tf.LayersModel or a non-empty array of them but got ${got}`,
  );
  return models;
}

/** Median wall time (ms) of `runs` single-image passes through every model, after `warmup`. */
function medianLatency(models: tf.LayersModel[], inputShape: number[], runs: number, warmup: number): number {
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
  return runs % 2 === 1 ? times[mid] : (times[mid - 1] + times[mid]) / 2;
}

/**
 * Profiles `model` — or several models that together answer one request — on inputs of
 * shape `inputShape` (without the batch dimension): MACCs ({@link countMaccs}), serialized
 * size ({@link serializedBytes}) and latency: `warmup` passes, then the median of `runs`
 * (≥ 100) timed single-image passes, each read back to the CPU.
 */
export async function profileModel(
  model: tf.LayersModel | tf.LayersModel[],
  inputShape: number[],
  opts: { runs?: number; warmup?: number } = {},
): Promise<ModelProfile> {
  const models = checkModels('profileModel', model);
  const runs = opts.runs ?? 100;
  const warmup = opts.warmup ?? 10;
  const check = checkArgs('profileModel')
    .require(
      Array.isArray(inputShape) && inputShape.every((d) => Number.isInteger(d) && d > 0),
      `inputShape must be positive integers, got [${inputShape}]`,
    )
    .number('runs', runs, { integer: true, min: 100 })
    .number('warmup', warmup, { integer: true, min: 0 });
  for (const m of models) {
    const expected = m.inputs[0].shape.slice(1);
    const fits = expected.length === inputShape.length && expected.every((d, i) => d === null || d === inputShape[i]);
    check.require(
      fits,
      `model '${m.name}' expects inputs [${expected.map((d) => d ?? '?')}] ` + `but inputShape is [${inputShape}]`,
    );
  }
  const size = (w: tf.LayerVariable): number => w.shape.reduce((a: number, b) => a * (b ?? 1), 1);
  const { bytes, weightBytes } = await serializedBytes(models);
  return {
    params: models.reduce((s, m) => s + m.countParams(), 0),
    trainableParams: models.reduce((s, m) => s + m.trainableWeights.reduce((t, w) => t + size(w), 0), 0),
    ...countMaccs(models),
    bytes,
    weightBytes,
    latencyMs: medianLatency(models, inputShape, runs, warmup),
  };
}
