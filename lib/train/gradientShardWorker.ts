/**
 * The worker thread of {@link GradientShards}: initialises its own backend, then for every
 * shard posted on its port computes the shard function with the posted parameters, posts the
 * reply on the same port and signals the waiting caller (Atomics.notify on its slot).
 */
import * as tf from '@tensorflow/tfjs';
import { MessagePort, workerData } from 'worker_threads';
import { initBackend } from '../backend/backend';
import { shardFunction, type ShardReply, type ShardRequest } from './gradientShards';

const { fn, options, signal, index, port } = workerData as {
  fn: string;
  options: Record<string, unknown>;
  signal: Int32Array;
  index: number;
  port: MessagePort;
};
const ready = initBackend({ quiet: true });

port.on('message', async (request: ShardRequest) => {
  let reply: ShardReply;
  const transfer: ArrayBuffer[] = [];
  try {
    await ready;
    const params: Record<string, tf.Tensor> = {};
    for (const [name, p] of Object.entries(request.params)) params[name] = tf.tensor(p.values, p.shape);
    try {
      const r = shardFunction(fn)(params, options, request.shard);
      const grads: Record<string, { shape: number[]; values: Float32Array }> = {};
      for (const [name, g] of Object.entries(r.grads)) {
        const values = g.dataSync().slice() as Float32Array;
        grads[name] = { shape: g.shape, values };
        transfer.push(values.buffer as ArrayBuffer);
      }
      tf.dispose(Object.values(r.grads));
      reply = { lossSum: r.lossSum, weight: r.weight, grads };
    } finally {
      tf.dispose(Object.values(params));
    }
  } catch (e) {
    reply = { error: e instanceof Error ? `${e.name}: ${e.message}` : String(e) };
    transfer.length = 0;
  }
  port.postMessage(reply, transfer);
  Atomics.store(signal, index, 1);
  Atomics.notify(signal, index);
});
