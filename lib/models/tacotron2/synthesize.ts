/**
 * Free-running synthesis (inference): the decoder reads its own previous frame, the pre-net's
 * dropout stays on (Tacotron 2), and an utterance ends at the first step whose stop
 * probability σ(stop_t) exceeds 0.5 — or at the step limit, which counts as incomplete.
 */
import * as tf from '@tensorflow/tfjs';
import { AudioMatrix, audioMatrix } from '../../audio/matrix';
import { Rng } from '../../core/random';
import { checkArgs } from '../../core/validate';
import { TacotronInput, tacotronInputIds } from './batch';
import type { Tacotron2 } from './config';
import { DecoderContext, TacotronDecoderState, decoderContext, decoderStep, initialDecoderState } from './decoder';
import { encoderForward } from './encoder';
import { postnetForward } from './postnet';

export interface Synthesis {
  text: string;
  /** Log-mel [T, M] after the post-net (natural log, the corpus's units). */
  mel: AudioMatrix;
  /** Attention weights, one row per decoder step, one column per character [steps, L]. */
  alignment: number[][];
  /** True when the stop token fired before the step limit. */
  stopped: boolean;
}

/** The step limit for a text of `chars` characters: (8 frames per character + 60 frames) / r. */
export function synthesisStepLimit(chars: number, r: number): number {
  return Math.ceil((8 * chars + 60) / r);
}

const disposeState = (s: TacotronDecoderState): void =>
  tf.dispose([s.attH, s.attC, s.decH, s.decC, s.context, s.alignment, s.cumulative]);

/**
 * Synthesizes every input (one padded batch), dropout masks from `seed`. An input is a text (for a
 * characters model) or { text, phones } (what a phones model reads; speech-single's utterances are both).
 */
export function synthesize(
  model: Tacotron2,
  inputs: readonly (string | TacotronInput)[],
  opts: { seed: number; maxSteps?: number },
): Synthesis[] {
  const c = checkArgs('synthesize')
    .require(
      Array.isArray(inputs) &&
        inputs.length > 0 &&
        inputs.every((t) => (typeof t === 'string' ? t : t?.text)?.length > 0),
      "argument 'inputs' expected a non-empty array of non-empty texts or { text, phones }",
    )
    .number('opts.seed', opts?.seed, { integer: true });
  const texts = inputs.map((t) => (typeof t === 'string' ? { text: t } : t));
  if (opts.maxSteps !== undefined) c.number('opts.maxSteps', opts.maxSteps, { integer: true, min: 1 });
  const { r, melDims: M } = model.config;
  const ids = texts.map((t) => tacotronInputIds(model.config, t));
  const N = texts.length;
  const L = Math.max(...ids.map((x) => x.length));
  const limits = ids.map((x) => opts.maxSteps ?? synthesisStepLimit(x.length, r));
  const rng = new Rng(opts.seed);
  const idT = tf.tensor2d(
    ids.flatMap((x) => [...x, ...new Array(L - x.length).fill(0)]),
    [N, L],
    'int32',
  );
  const maskT = tf.tensor2d(
    ids.flatMap((x) => [...new Array(x.length).fill(1), ...new Array(L - x.length).fill(0)]),
    [N, L],
  );
  const ctx = tf.tidy(
    () =>
      decoderContext(
        model,
        encoderForward(model, idT, maskT, { training: false }),
        maskT,
      ) as unknown as tf.TensorContainer,
  ) as unknown as DecoderContext;
  let state = initialDecoderState(ctx);
  let y = tf.zeros([N, M]);
  const frames: number[][] = ids.map(() => []);
  const aligns: number[][][] = ids.map(() => []);
  const stopped = new Array<boolean>(N).fill(false);
  const done = new Array<boolean>(N).fill(false);
  try {
    for (let t = 0; t < Math.max(...limits) && !done.every(Boolean); t++) {
      const out = tf.tidy(() => {
        const o = decoderStep(ctx, state, y, rng);
        return {
          ...o,
          stopP: tf.sigmoid(o.stopLogit),
          last: tf.slice(o.frames, [0, (r - 1) * M], [N, M]),
        } as unknown as tf.TensorContainer;
      }) as unknown as ReturnType<typeof decoderStep> & { stopP: tf.Tensor; last: tf.Tensor };
      const [f, a, p] = [out.frames.dataSync(), out.state.alignment.dataSync(), out.stopP.dataSync()];
      for (let n = 0; n < N; n++) {
        if (done[n]) continue;
        for (let k = 0; k < r * M; k++) frames[n].push(f[n * r * M + k]);
        aligns[n].push(Array.from(a.subarray(n * L, n * L + ids[n].length)));
        if (p[n] > 0.5) {
          stopped[n] = true;
          done[n] = true;
        } else if (t + 1 >= limits[n]) done[n] = true;
      }
      disposeState(state);
      tf.dispose([y, out.frames, out.stopLogit, out.stopP]);
      state = out.state;
      y = out.last;
    }
  } finally {
    disposeState(state);
    tf.dispose([
      y,
      idT,
      maskT,
      ctx.memory,
      ctx.processedMemory,
      ctx.projW,
      ctx.att.Wx,
      ctx.att.Wh,
      ctx.dec.Wx,
      ctx.dec.Wh,
    ]);
  }
  return texts.map(({ text }, n) => {
    const T = frames[n].length / M;
    const post = tf.tidy(
      () =>
        postnetForward(model, tf.tensor3d(frames[n], [1, T, M]))
          .mul(model.melNorm.std)
          .add(model.melNorm.mean)
          .dataSync() as Float32Array,
    );
    return { text, mel: audioMatrix(Float32Array.from(post), T, M), alignment: aligns[n], stopped: stopped[n] };
  });
}
