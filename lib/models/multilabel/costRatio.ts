/**
 * How the cost of Proposed (one backbone, one head per category) compares with nM (one full
 * model per category) as the number n of label categories grows. With backbone MACCs B and
 * parameters P_B, features F, shared hidden width H and C_k classes in category k:
 *
 *   MACCs   Proposed = B + F·H + H·Σ_k C_k        nM = n·B + n·F·H + H·Σ_k C_k
 *   params  Proposed = P_B + (F+1)·H + Σ_k (H+1)·C_k
 *           nM       = n·P_B + n·(F+1)·H + Σ_k (H+1)·C_k
 *
 * and with heads only (H = 0, heads on the features): B + F·Σ C_k vs n·B + F·Σ C_k, params
 * P_B + Σ (F+1)·C_k vs n·P_B + Σ (F+1)·C_k. The ratio Proposed / nM falls towards 1/n when the
 * backbone dominates. {@link costRatioCurve} measures the ratio on built models (MACCs counted
 * layer by layer, serialized bytes) beside this analytic line.
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import type { PlotlyFigure } from '../../display/figurePage';
import { countMaccs, serializedBytes } from '../../metrics/modelProfile';
import { buildProposedModel, buildSeparateModels, disposeHeadedModel, type LabelCategory } from './heads';

/** Analytic MACCs and parameters of Proposed and nM (see the module comment). */
export function analyticCost(opts: {
  backboneMaccs: number;
  backboneParams: number;
  featureDim: number;
  hidden: number;
  classes: number[];
}): { proposed: { maccs: number; params: number }; separate: { maccs: number; params: number } } {
  const { backboneMaccs: B, backboneParams: PB, featureDim: F, hidden: H, classes } = opts;
  const n = classes.length;
  const sumC = classes.reduce((a, b) => a + b, 0);
  if (H === 0) {
    const heads = { maccs: F * sumC, params: (F + 1) * sumC };
    return {
      proposed: { maccs: B + heads.maccs, params: PB + heads.params },
      separate: { maccs: n * B + heads.maccs, params: n * PB + heads.params },
    };
  }
  const heads = { maccs: H * sumC, params: (H + 1) * sumC };
  const trunk = { maccs: F * H, params: (F + 1) * H };
  return {
    proposed: { maccs: B + trunk.maccs + heads.maccs, params: PB + trunk.params + heads.params },
    separate: {
      maccs: n * (B + trunk.maccs) + heads.maccs,
      params: n * (PB + trunk.params) + heads.params,
    },
  };
}

/** Measured and analytic Proposed / nM ratios for n = 1 … classes.length categories. */
export interface CostRatioCurve {
  n: number[];
  measuredMaccs: number[];
  analyticMaccs: number[];
  measuredBytes: number[];
  analyticParams: number[];
}

/**
 * Builds Proposed and nM on `backbone` (frozen) for the first n of `classes` categories,
 * n = 1 … classes.length, and returns their cost ratios; the models are disposed again.
 */
export async function costRatioCurve(
  backbone: tf.Sequential,
  opts: { classes: number[]; hidden: number },
): Promise<CostRatioCurve> {
  checkArgs('costRatioCurve')
    .require(backbone instanceof tf.Sequential, 'backbone must be a tf.Sequential (buildBackbone)')
    .require(
      Array.isArray(opts?.classes) &&
        opts.classes.length > 0 &&
        opts.classes.every((c) => Number.isInteger(c) && c >= 2),
      'classes must be integers ≥ 2',
    )
    .number('hidden', opts.hidden, { integer: true, min: 0 });
  const base = {
    backboneMaccs: countMaccs(backbone).maccs,
    backboneParams: backbone.countParams(),
    featureDim: backbone.outputs[0].shape[1] as number,
    hidden: opts.hidden,
  };
  const curve: CostRatioCurve = {
    n: [],
    measuredMaccs: [],
    analyticMaccs: [],
    measuredBytes: [],
    analyticParams: [],
  };
  for (let n = 1; n <= opts.classes.length; n++) {
    const classes = opts.classes.slice(0, n);
    const cats: LabelCategory[] = classes.map((c, k) => ({ name: `c${k}`, classes: c }));
    const proposed = buildProposedModel(backbone, cats, { hidden: opts.hidden, seed: n });
    const built = buildSeparateModels(backbone, cats, { hidden: opts.hidden, seed: n });
    const separate = built.map((m) => m.model);
    const a = analyticCost({ ...base, classes });
    curve.n.push(n);
    curve.measuredMaccs.push(countMaccs(proposed.model).maccs / countMaccs(separate).maccs);
    curve.analyticMaccs.push(a.proposed.maccs / a.separate.maccs);
    const bytes = [await serializedBytes(proposed.model), await serializedBytes(separate)];
    curve.measuredBytes.push(bytes[0].bytes / bytes[1].bytes);
    curve.analyticParams.push(a.proposed.params / a.separate.params);
    [proposed, ...built].forEach(disposeHeadedModel);
  }
  return curve;
}

/** Measured ratios as markers, analytic ones as lines, one pair per labelled curve. */
export function costRatioFigure(
  curves: Record<string, CostRatioCurve>,
  title = 'Proposed / nM cost vs number of categories',
): PlotlyFigure {
  const line = (name: string, x: number[], y: number[], dash = 'solid') => ({
    type: 'scatter',
    mode: 'lines',
    name,
    x,
    y,
    line: { dash },
  });
  const dots = (name: string, x: number[], y: number[], symbol: string) => ({
    type: 'scatter',
    mode: 'markers',
    name,
    x,
    y,
    marker: { symbol, size: 9 },
  });
  const data = Object.entries(curves).flatMap(([label, c]) => [
    line(`analytic MACCs, ${label}`, c.n, c.analyticMaccs),
    dots(`measured MACCs, ${label}`, c.n, c.measuredMaccs, 'circle'),
    line(`analytic params, ${label}`, c.n, c.analyticParams, 'dot'),
    dots(`measured size, ${label}`, c.n, c.measuredBytes, 'x'),
  ]);
  return {
    data,
    layout: {
      template: 'plotly_white',
      title: { text: title },
      xaxis: { title: { text: 'number of label categories n' }, dtick: 1 },
      yaxis: { title: { text: 'Proposed / nM' }, rangemode: 'tozero' },
    },
  };
}
