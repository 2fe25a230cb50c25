/**
 * The speed tricks of the hand-written layers, each behind a name that says what it computes,
 * so that a layer reads like its equations (`dWx = matMulAT(x, da)  // xᵀ·da`) and the tricks
 * are explained once, here. They are for the wasm backend (tfjs-backend-wasm, XNNPACK),
 * measured with `npm run bench` and scripts/bench-lstm.ts; on other backends they compute the
 * same values.
 *
 * 1. Transposed products use an explicit transpose: tf.matMul's transposeA/transposeB flags
 *    run 5–25× slower on wasm than `tf.transpose` followed by a plain matmul.
 * 2. wasm repacks a matmul's right-hand operand on every call, so the smaller matrix should
 *    be on the right. xᵀ·da with x [R, D] smaller than da [R, K] is computed as (daᵀ·x)ᵀ.
 * 3. Weight gradients over many rows (dWᵢ = xᵢᵀ·da, db = Σ_rows da) are one product: the inputs
 *    and a column of ones side by side, transposed, times da — wasm repacks da once instead of
 *    once per input, and neither the wide da is transposed nor its rows summed by a reduction,
 *    both of which cost more than the product over thousands of rows ({@link linearGrads}).
 * 4. tanh(x) = 2σ(2x) − 1 on large tensors: wasm's sigmoid kernel is vectorised and its tanh is
 *    not (≈ 0.08 ms vs ≈ 0.33 ms on 16,384 values); the two agree to float32 round-off
 *    (|error| ≲ 1e-7). Below 8,192 values the one tanh kernel wins over the identity's four
 *    launches (≈ 0.02 ms vs ≈ 0.19 ms on 1,024 values: a decoder step's LSTM cell).
 */
import * as tf from '@tensorflow/tfjs';
import { checkArgs } from '../core/validate';

/** Swaps the last two axes (a matrix, or a batch of matrices). */
function transposeLast2(x: tf.Tensor): tf.Tensor {
  return x.rank === 2 ? tf.transpose(x) : tf.transpose(x, [0, 2, 1]);
}

function checkMatrices(fn: string, a: tf.Tensor, b: tf.Tensor, aSpec: string[], bSpec: string[]): void {
  const batched = a instanceof tf.Tensor && a.rank === 3;
  checkArgs(fn)
    .tensor('a', a, batched ? ['B', ...aSpec] : aSpec, 'float32')
    .tensor('b', b, batched ? ['B', ...bSpec] : bSpec, 'float32');
}

/**
 * aᵀ·b: a [R, M], b [R, K] → [M, K] (or batched: [B, R, M], [B, R, K] → [B, M, K]).
 * For matrices, keeps the smaller of a and b on the right of the actual matmul (trick 2);
 * batches go through one explicit transpose of a (trick 1: wasm's batched matmul does not
 * repack, and a transpose of a batch costs more than it would save).
 */
export function matMulAT(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  checkMatrices('matMulAT', a, b, ['R', 'M'], ['R', 'K']);
  return tf.tidy(() =>
    a.rank === 2 && a.size < b.size ? tf.transpose(tf.matMul(tf.transpose(b), a)) : tf.matMul(transposeLast2(a), b),
  );
}

/** a·bᵀ: a [R, K], b [M, K] → [R, M] (or batched), through an explicit transpose (trick 1). */
export function matMulBT(a: tf.Tensor, b: tf.Tensor): tf.Tensor {
  checkMatrices('matMulBT', a, b, ['R', 'K'], ['M', 'K']);
  return tf.tidy(() => tf.matMul(a, transposeLast2(b)));
}

/**
 * The weight and bias gradients of a = x₁·W₁ + … + x_k·W_k + b over R rows, given da [R, K]:
 *
 *   dWᵢ = xᵢᵀ·da  [Dᵢ, K]        db = Σ_rows da = 1ᵀ·da  [K]
 *
 * computed as one product [x₁, …, x_k, 1]ᵀ·da, split by rows (trick 3).
 */
export function linearGrads(xs: tf.Tensor[], da: tf.Tensor): { dW: tf.Tensor[]; db: tf.Tensor } {
  const c = checkArgs('linearGrads').tensor('da', da, ['R', 'K'], 'float32');
  c.require(Array.isArray(xs) && xs.length > 0, "argument 'xs' expected a non-empty list of inputs [R, D]");
  xs.forEach((x, i) => c.tensor(`xs[${i}]`, x, ['R', `D${i}`], 'float32'));
  const { R, K } = c.dims;
  return tf.tidy(() => {
    const widths = xs.map((x) => x.shape[1] as number);
    const all = tf.matMul(tf.transpose(tf.concat([...xs, tf.ones([R, 1])], 1)), da);
    const parts = tf.split(all, [...widths, 1], 0);
    return { dW: parts.slice(0, xs.length), db: tf.reshape(parts[xs.length], [K]) };
  });
}

/** tanh(x): tf.tanh on small tensors, 2σ(2x) − 1 on large ones (trick 4). Any shape, float32. */
export function tanh<T extends tf.Tensor>(x: T): T {
  checkArgs('tanh').require(
    x instanceof tf.Tensor && x.dtype === 'float32',
    `argument 'x' expected a float32 tensor but got ${x instanceof tf.Tensor ? x.dtype : typeof x}`,
  );
  if (x.size < 8192) return tf.tanh(x);
  return tf.tidy(() => tf.sub(tf.mul(tf.sigmoid(tf.mul(x, 2)), 2), 1) as T);
}
