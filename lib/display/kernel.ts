/**
 * The tslab kernel's display channel. tslab's public `display` sends one MIME type per
 * call; a rich output needs one *bundle* (plotly JSON + HTML fallback + plain text), so we
 * use the kernel's own writer, `tslab/dist/jupyter`'s `lastWriteDisplayData`, which emits a
 * Jupyter `display_data` (or `update_display_data`) message.
 *
 * We only look at tslab's module when the kernel (or the headless runner, which drives the
 * same code) has already loaded it, so plain Node scripts don't pay for loading TypeScript.
 */
import { randomBytes } from 'crypto';

/** A Jupyter MIME bundle: MIME type → value (text, JSON, or base64 for binary). */
export type MimeBundle = Record<string, unknown>;

type DisplayWriter = (
  msg: { data: MimeBundle; metadata: Record<string, unknown>; transient: { display_id?: string } },
  update: boolean,
) => void;

const TSLAB_JUPYTER = /[\\/]tslab[\\/]dist[\\/]jupyter\.js$/;

/**
 * The writer of the tslab that is running us: usually this project's own copy, but a kernel
 * from a global `tslab install` loads another copy, so any loaded `tslab/dist/jupyter.js`
 * with an active writer counts.
 */
function kernelWriter(): DisplayWriter | null {
  for (const [file, mod] of Object.entries(require.cache)) {
    if (!TSLAB_JUPYTER.test(file)) continue;
    const write = (mod?.exports as { lastWriteDisplayData?: DisplayWriter | null } | undefined)?.lastWriteDisplayData;
    if (write) return write;
  }
  return null;
}

/** True inside a tslab kernel (or the headless notebook runner) that is executing a cell. */
export function inKernel(): boolean {
  return kernelWriter() !== null;
}

/** A fresh id for a display entry that will be updated in place. */
export function newDisplayId(): string {
  return randomBytes(8).toString('hex');
}

/**
 * Sends one bundle to the notebook. With `displayId`, the first call creates the entry and
 * calls with `update: true` replace it in place. Returns false when not in a kernel.
 */
export function sendDisplay(bundle: MimeBundle, opts: { displayId?: string; update?: boolean } = {}): boolean {
  const write = kernelWriter();
  if (!write) return false;
  write(
    { data: bundle, metadata: {}, transient: opts.displayId ? { display_id: opts.displayId } : {} },
    opts.update ?? false,
  );
  return true;
}
