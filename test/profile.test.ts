/**
 * profileModel: MACCs and parameters against hand-computed counts, serialized size against the
 * topology JSON and 4 bytes per weight; latency is only checked for structure.
 */
import { describe, expect, it } from 'vitest';
import { tf } from '../lib';
import { countMaccs, profileModel, serializedBytes } from '../lib/metrics/modelProfile';
import { buildBackbone } from '../lib/models/multilabel/backbone';
import { buildProposedModel, buildSeparateModels } from '../lib/models/multilabel/heads';

describe('profileModel', () => {
  it('counts conv, dense and pooling MACCs by hand', async () => {
    const m = tf.sequential({
      layers: [
        // 8·8·3·3·2·4 = 4608
        tf.layers.conv2d({ inputShape: [10, 10, 2], filters: 4, kernelSize: 3, padding: 'valid' }),
        tf.layers.maxPooling2d({ poolSize: 2 }), // 0 → [4, 4, 4]
        tf.layers.flatten(),
        tf.layers.dense({ units: 5 }), // 64·5 = 320
      ],
    });
    const p = await profileModel(m, [10, 10, 2]);
    expect(p.maccs).toBe(4608 + 320);
    expect(p.trainedLayerMaccs).toBe(4608 + 320);
    expect(p.params).toBe(3 * 3 * 2 * 4 + 4 + 64 * 5 + 5);
    expect(p.weightBytes).toBe(4 * p.params);
    const topology = Buffer.byteLength(JSON.stringify(m.toJSON(null, false)), 'utf8');
    const sized = await serializedBytes(m);
    expect(sized.topologyBytes).toBe(topology);
    expect(p.bytes).toBeGreaterThan(p.weightBytes + topology); // + the weight manifest
    expect(sized.bytes).toBe(p.bytes);
    expect(p.layers.map((l) => l.maccs)).toEqual([4608, 0, 0, 320]);
    expect(p.latencyMs).toBeGreaterThan(0);
    m.dispose();
  });

  it('counts a frozen backbone inside a composed model, and sums model sets', async () => {
    const bb = buildBackbone({ seed: 1 });
    bb.trainable = false;
    // conv1: 28·28·3·3·3·8 = 169344; conv2: 14·14·3·3·8·16 = 225792
    const backboneMaccs = 169344 + 225792;
    const cats = [
      { name: 'item', classes: 10 },
      { name: 'colour', classes: 8 },
    ];
    const proposed = buildProposedModel(bb, cats, { hidden: 64, seed: 2 });
    const trained = 784 * 64 + 64 * 10 + 64 * 8;
    const p = await profileModel(proposed.model, [28, 28, 3]);
    expect(p.maccs).toBe(backboneMaccs + trained);
    expect(p.trainedLayerMaccs).toBe(trained);
    expect(p.trainableParams).toBe(784 * 64 + 64 + 64 * 10 + 10 + 64 * 8 + 8);
    const separate = buildSeparateModels(bb, cats, { hidden: 64, seed: 3 });
    const s = await profileModel(
      separate.map((h) => h.model),
      [28, 28, 3],
    );
    expect(s.maccs).toBe(2 * backboneMaccs + 2 * 784 * 64 + 64 * 10 + 64 * 8);
    expect(s.params).toBe(2 * bb.countParams() + 2 * (784 * 64 + 64) + 64 * 10 + 10 + 64 * 8 + 8);
    expect(Number.isFinite(s.latencyMs)).toBe(true);
    expect(countMaccs(separate.map((h) => h.model)).maccs).toBe(s.maccs);
    const parts = await Promise.all(separate.map((h) => serializedBytes(h.model)));
    expect(s.bytes).toBe(parts[0].bytes + parts[1].bytes);
    expect(s.weightBytes).toBe(4 * s.params);
  });

  it('validates its arguments', async () => {
    const m = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2 })] });
    await expect(profileModel(m, [4])).rejects.toThrow(/profileModel: model '.*' expects inputs \[3\]/);
    await expect(profileModel(m, [3], { runs: 10 })).rejects.toThrow(/argument 'runs'/);
    expect(() => countMaccs([])).toThrow(/countMaccs: argument 'model'/);
    const odd = tf.sequential({
      layers: [tf.layers.dense({ inputShape: [3], units: 2 }), tf.layers.batchNormalization()],
    });
    expect(() => countMaccs(odd)).toThrow(/no MACC rule for layer .* BatchNormalization/);
  });
});
