/**
 * The check process's handle on the sandboxed student process (studentHost.ts): a
 * StudentLibrary whose every call sends its arguments over IPC and resolves to the returned
 * value, rebuilt as new tensors owned by the caller. The submission's code never runs in the
 * check process, so nothing it does can touch the comparisons or the result.
 */
import { ChildProcess, spawn } from 'child_process';
import { SandboxPaths, sandboxFlags } from '../../scripts/sandbox';
import { CheckFailure } from './check';
import type { CallRequest, HostMessage } from './studentHost';
import { StudentLibrary } from './studentLibrary';
import { fromWire, toWire } from './wire';

export interface StudentHostSpec {
  /** Compiled studentHost.js inside the item's private copy. */
  hostScript: string;
  /** JSON: exported name → compiled module of the student's lib (inside the copy). */
  modulesFile: string;
  /** The process's working folder (the only place it may write). */
  workDir: string;
  sandbox: SandboxPaths;
  heapMb: number;
}

export interface RemoteStudent {
  lib: StudentLibrary;
  close(): void;
}

function exitMessage(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `was killed by ${signal}` : `exited with code ${code}`;
}

export function startStudentHost(spec: StudentHostSpec): Promise<RemoteStudent> {
  const child: ChildProcess = spawn(
    process.execPath,
    [...sandboxFlags(spec.sandbox, spec.heapMb), spec.hostScript, spec.modulesFile],
    {
      cwd: spec.workDir,
      // Nothing of the check process's environment (the reference's path) is passed on.
      env: { PATH: process.env.PATH ?? '', TMPDIR: spec.workDir },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      serialization: 'advanced',
    },
  );
  const pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void; name: string }>();
  let nextId = 0;
  let ended: string | null = null;
  return new Promise((resolveStart, rejectStart) => {
    child.on('exit', (code, signal) => {
      ended = exitMessage(code, signal);
      rejectStart(new CheckFailure(`the submission's process ${ended} before it was ready`));
      for (const p of pending.values())
        p.reject(new CheckFailure(`the submission's process ${ended} during ${p.name}`));
      pending.clear();
    });
    child.on('message', (m: HostMessage) => {
      if (m.type === 'ready') {
        resolveStart({ lib, close: () => child.kill('SIGKILL') });
        return;
      }
      const p = pending.get(m.id);
      if (!p) return;
      pending.delete(m.id);
      if (m.ok) p.resolve(fromWire(m.value));
      else p.reject(new CheckFailure(m.message));
    });
    const lib = new Proxy({} as StudentLibrary, {
      get(_, name: string) {
        if (name === 'then') return undefined; // not a thenable
        return (...args: unknown[]) =>
          new Promise((resolve, reject) => {
            if (ended) return reject(new CheckFailure(`the submission's process ${ended}`));
            const id = nextId++;
            pending.set(id, { resolve, reject, name });
            child.send({
              type: 'call',
              id,
              name,
              args: toWire(args, `${name}'s arguments`) as unknown[],
            } satisfies CallRequest);
          });
      },
    });
  });
}
