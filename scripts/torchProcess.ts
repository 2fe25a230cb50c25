/**
 * The PyTorch side of the benchmarks: starts a committed Python script with the first python3
 * that imports torch and talks to it one JSON line at a time (the script prints a hello line,
 * then one reply per command line it reads), so its runs can interleave with the tfjs ones.
 */
import { spawn, spawnSync } from 'child_process';
import * as path from 'path';
import * as readline from 'readline';

export interface TorchProcess {
  python: string;
  /** The script's first line (e.g. { ready, torch, threads }). */
  hello: Record<string, unknown>;
  /** Sends one command line and returns the script's reply. */
  ask: (command: string) => Promise<Record<string, unknown>>;
  close: () => void;
}

/** Starts scripts/<script> with `args`, or says why it cannot (no python3 with torch). */
export async function startTorch(script: string, args: string[]): Promise<TorchProcess | string> {
  const python = ['python3', '/usr/bin/python3'].find(
    (p) => spawnSync(p, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0,
  );
  if (!python) return 'PyTorch: skipped (neither python3 nor /usr/bin/python3 can import torch)';
  const file = path.resolve(__dirname, '../../scripts', script);
  const child = spawn(python, [file, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = readline.createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const next = async (): Promise<Record<string, unknown>> => {
    const { value, done } = await lines.next();
    if (done) throw new Error(`${script} exited early`);
    return JSON.parse(value as string);
  };
  const hello = await next();
  return {
    python,
    hello,
    ask: async (command) => {
      child.stdin.write(`${command}\n`);
      return next();
    },
    close: () => child.stdin.end('quit\n'),
  };
}
