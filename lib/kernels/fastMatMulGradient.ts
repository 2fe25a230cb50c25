/**
 * A faster gradient for `BatchMatMul` (`tf.matMul`) on wasm.
 *
 * tfjs's registered gradient of c = op(a)·op(b) uses matMul's transpose flags
 * (`tf.matMul(dy, b, false, true)` …), and wasm's matmul with transposeA / transposeB is
 * about 25× / 5× slower than a plain one. The same gradients with explicit transposes
 * (ᵀ swaps the last two axes):
 *
 *   c = a·b     da = dy·bᵀ        db = aᵀ·dy
 *   c = a·bᵀ    da = dy·b         db = dyᵀ·a
 *   c = aᵀ·b    da = b·dyᵀ        db = a·dy
 *   c = aᵀ·bᵀ   da = (dy·b)ᵀ      db = (a·dy)ᵀ
 *
 * Batch dimensions that matMul broadcast are summed back to the input's shape.
 * `tf.fused.matMul` (used by `tf.layers.dense`) has its own gradient and is not affected.
 */
import * as tf from '@tensorflow/tfjs';

const KERNEL = 'BatchMatMul';
let defaultGradient: tf.GradConfig | null = null;

/** Swaps the last two axes. */
function transposeLast2(t: tf.Tensor): tf.Tensor {
  const perm = t.shape.map((_, i) => i);
  perm[t.rank - 2] = t.rank - 1;
  perm[t.rank - 1] = t.rank - 2;
  return tf.transpose(t, perm);
}

/** Sums the batch axes `grad` gained by broadcasting so it has `shape` again. */
function reduceToShape(grad: tf.Tensor, shape: number[]): tf.Tensor {
  const axes = tf.backend_util.getReductionAxes(shape, grad.shape);
  return tf.reshape(axes.length > 0 ? tf.sum(grad, axes) : grad, shape);
}

const fastGradient: tf.GradConfig = {
  kernelName: KERNEL,
  inputsToSave: ['a', 'b'],
  gradFunc: (dy, saved, attrs) => {
    const [a, b] = saved;
    const { transposeA, transposeB } = attrs as unknown as { transposeA: boolean; transposeB: boolean };
    const g = dy as tf.Tensor;
    let da: () => tf.Tensor;
    let db: () => tf.Tensor;
    if (!transposeA && !transposeB) {
      da = () => tf.matMul(g, transposeLast2(b));
      db = () => tf.matMul(transposeLast2(a), g);
    } else if (!transposeA && transposeB) {
      da = () => tf.matMul(g, b);
      db = () => tf.matMul(transposeLast2(g), a);
    } else if (transposeA && !transposeB) {
      da = () => tf.matMul(b, transposeLast2(g));
      db = () => tf.matMul(a, g);
    } else {
      da = () => transposeLast2(tf.matMul(g, b));
      db = () => transposeLast2(tf.matMul(a, g));
    }
    return { a: () => reduceToShape(da(), a.shape), b: () => reduceToShape(db(), b.shape) };
  },
};

/** Replaces the registered `BatchMatMul` gradient with the explicit-transpose one (idempotent). */
export function useFastMatMulGradient(): void {
  const current = tf.getGradient(KERNEL);
  if (current === fastGradient) return;
  defaultGradient = current;
  tf.registerGradient(fastGradient);
}

/** Restores the gradient that was registered before {@link useFastMatMulGradient}. */
export function useDefaultMatMulGradient(): void {
  if (defaultGradient && tf.getGradient(KERNEL) === fastGradient) tf.registerGradient(defaultGradient);
}

/** True while the fast gradient is the registered one. */
export function isFastMatMulGradient(): boolean {
  return tf.getGradient(KERNEL) === fastGradient;
}
