/** Running the runner's jobs: notebooks side by side, and the steps that must take turns. */

/** Calls `job(k)` for every k of `order`, in that order, at most `limit` at once (a free slot takes the next k). */
export async function inParallel(
  order: readonly number[],
  limit: number,
  job: (k: number) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < order.length) await job(order[next++]);
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, order.length)) }, worker));
}

/** A queue in which each call waits for the previous one to finish (a failure does not block the next). */
export function serialQueue(): <T>(fn: () => Promise<T>) => Promise<T> {
  let last: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = last.then(fn, fn);
    last = run.catch(() => undefined);
    return run;
  };
}
