/**
 * The student's library as a grading check sees it: every function asynchronous, because in
 * the grader it runs in another, sandboxed process (remoteStudent.ts) and only its return
 * value comes back. Each call is leak-checked where it runs (`callCounted`): a function may
 * leave behind only the tensors it returns.
 */
import * as tf from '@tensorflow/tfjs';
import { collectTensors } from '../reference/numerics';
import { CheckFailure, Library } from './check';

type Async<F> = F extends (...args: infer A) => infer R ? (...args: A) => Promise<R> : never;

export type StudentLibrary = { [K in keyof Library]: Async<Library[K]> };

/**
 * Calls `fn(...args)` and fails unless the only tensors it leaves behind are the ones it
 * returns: left = numTensors(after) − numTensors(before) must equal |tensors in the result|.
 */
export function callCounted(name: string, fn: (...a: unknown[]) => unknown, args: unknown[]): unknown {
  const before = tf.memory().numTensors;
  const result = fn(...args);
  const returned = collectTensors(result).length;
  const left = tf.memory().numTensors - before;
  if (left !== returned)
    throw new CheckFailure(`${name}: leaks ${left - returned} tensor(s) (left ${left}, returned ${returned})`);
  return result;
}

/** A library in this process seen as a StudentLibrary (the test suite grades the solution this way). */
export function inProcessStudent(lib: Library): StudentLibrary {
  return new Proxy({} as StudentLibrary, {
    get(_, name: string) {
      const fn = (lib as unknown as Record<string, unknown>)[name];
      if (typeof fn !== 'function') throw new CheckFailure(`the library does not export a function '${name}'`);
      return async (...args: unknown[]) => callCounted(name, fn as (...a: unknown[]) => unknown, args);
    },
  });
}
