/**
 * Location-sensitive attention inside an autodiff model, with the gradient the library
 * derives by hand.
 *
 * The decoder trains through tfjs autodiff, but the attention's backward is
 * `locationAttentionBackward` (lib/layers/locationSensitiveAttention.ts, gradient-checked):
 * `tf.customGrad` runs `locationAttentionForward`, saves its cache on the tape, and on the
 * way back calls the hand backward. customGrad returns one tensor, so the two outputs travel
 * packed, `[context | alignment]` [N, De + L], and so do their gradients (dcontext, dalignment).
 *
 * `gradient: 'autodiff'` runs the same forward and lets tfjs differentiate its ops instead —
 * the comparison notebook 06 times (decoder steps per second).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../../core/validate';
import {
  LocationAttentionCache,
  LocationAttentionParams,
  locationAttentionBackward,
  locationAttentionForward,
} from '../../layers/locationSensitiveAttention';

export type AttentionGradient = 'hand' | 'autodiff';

/** The cache's tensors, in a fixed order (what customGrad's `save` keeps on the tape). */
function cacheTensors(c: LocationAttentionCache): tf.Tensor[] {
  return [c.query, c.memory, c.alignment, c.tanhPre, c.loc, c.conv.x, c.conv.W, c.Wq, c.U, c.w];
}

function cacheFrom(saved: tf.Tensor[], like: LocationAttentionCache): LocationAttentionCache {
  const [query, memory, alignment, tanhPre, loc, convX, convW, Wq, U, w] = saved;
  return {
    query,
    memory,
    alignment,
    tanhPre,
    loc,
    Wq,
    U,
    w,
    conv: { ...like.conv, x: convX, W: convW },
    dims: like.dims,
  };
}

/**
 * One attention step: context [N, De] and alignment [N, L] (see locationAttentionForward for
 * the shapes of the arguments), differentiable by tfjs with the hand backward
 * (`gradient: 'hand'`, default) or by autodiff of the forward's ops (`'autodiff'`).
 */
export function locationAttentionStep(
  query: tf.Tensor,
  memory: tf.Tensor,
  processedMemory: tf.Tensor,
  prevAlignments: tf.Tensor,
  params: LocationAttentionParams,
  mask: tf.Tensor | null,
  gradient: AttentionGradient = 'hand',
): { context: tf.Tensor; alignment: tf.Tensor } {
  checkArgs('locationAttentionStep').require(
    gradient === 'hand' || gradient === 'autodiff',
    `argument 'gradient' expected 'hand' or 'autodiff' but got ${String(gradient)}`,
  );
  if (gradient === 'autodiff') {
    const { context, alignment, cache } = locationAttentionForward(
      query,
      memory,
      processedMemory,
      prevAlignments,
      params,
      mask,
    );
    tf.dispose(cacheTensors(cache));
    return { context, alignment };
  }
  const De = memory.shape[2] as number;
  let layout: LocationAttentionCache | null = null;
  const packed = tf.customGrad(((...args: unknown[]) => {
    const [q, h, vh, prev, Wq, filters, U, w, b] = args as tf.Tensor[];
    const save = args[9] as tf.GradSaveFunc;
    const out = locationAttentionForward(q, h, vh, prev, { Wq, filters, U, w, b } as LocationAttentionParams, mask);
    layout = out.cache;
    save(cacheTensors(out.cache));
    return {
      value: tf.concat([out.context, out.alignment], 1),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [dcontext, dalignment] = tf.split(dy, [De, dy.shape[1]! - De], 1);
        const g = locationAttentionBackward(dcontext, dalignment, cacheFrom(saved, layout!));
        return [g.dquery, g.dmemory, g.dprocessedMemory, g.dprevAlignments, g.dWq, g.dfilters, g.dU, g.dw, g.db];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  const both = (packed as unknown as (...t: tf.Tensor[]) => tf.Tensor)(
    query,
    memory,
    processedMemory,
    prevAlignments,
    params.Wq,
    params.filters,
    params.U,
    params.w,
    params.b,
  );
  const [context, alignment] = tf.split(both, [De, both.shape[1]! - De], 1);
  both.dispose(); // the split's backward needs only the gradients, not this value
  return { context, alignment };
}
