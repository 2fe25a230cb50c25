/**
 * The sandboxed side of a grading check: this process loads the student's compiled lib and
 * answers the check process's calls over IPC, one at a time. It never sees the reference
 * library or the grader's result channel; the grader starts it under Node's permission model
 * (read: its private copy and node_modules; write: its working folder; no child processes,
 * no workers) with a memory limit (scripts/coursework/sandbox.ts).
 *
 *   node <sandbox flags> studentHost.js MODULES_JSON
 *   → { type: 'ready' } | { type: 'reply', id, ok: true, value } | { type: 'reply', id, ok: false, message }
 *   ← { type: 'call', id, name, args }
 */
import * as fs from 'fs';
import * as tf from '@tensorflow/tfjs';
import { collectTensors } from '../reference/numerics';
import { CheckFailure } from './check';
import { callCounted } from './studentLibrary';
import { fromWire, toWire } from './wire';

export interface CallRequest {
  type: 'call';
  id: number;
  name: string;
  args: unknown[];
}

export type HostMessage =
  | { type: 'ready' }
  | { type: 'reply'; id: number; ok: true; value: unknown }
  | { type: 'reply'; id: number; ok: false; message: string };

function errorMessage(e: unknown): string {
  if (e instanceof Error) return e instanceof CheckFailure ? e.message : `${e.name}: ${e.message}`;
  return String(e);
}

function studentExport(modules: Record<string, string>, name: string): (...a: unknown[]) => unknown {
  const file = modules[name];
  if (!file) throw new CheckFailure(`the submission's lib does not export '${name}'`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const value = require(file)[name];
  if (typeof value !== 'function')
    throw new CheckFailure(`the submission's ${file} does not export a function '${name}'`);
  return value;
}

function answer(modules: Record<string, string>, req: CallRequest): HostMessage {
  const args = fromWire(req.args) as unknown[];
  try {
    const result = callCounted(req.name, studentExport(modules, req.name), args);
    try {
      return { type: 'reply', id: req.id, ok: true, value: toWire(result, `${req.name}'s result`) };
    } finally {
      tf.dispose(collectTensors(result));
    }
  } catch (e) {
    return { type: 'reply', id: req.id, ok: false, message: errorMessage(e) };
  } finally {
    tf.dispose(collectTensors(args));
  }
}

async function main(): Promise<void> {
  const modules = JSON.parse(fs.readFileSync(process.argv[2], 'utf8')) as Record<string, string>;
  const send = (m: HostMessage): void => void process.send?.(m);
  process.on('message', (req: CallRequest) => send(answer(modules, req)));
  await (studentExport(modules, 'initBackend') as (o: object) => Promise<unknown>)({ quiet: true });
  send({ type: 'ready' });
}

if (require.main === module) {
  main().catch((e) => {
    process.stderr.write(`student host: ${errorMessage(e)}\n`);
    process.exit(1);
  });
}
