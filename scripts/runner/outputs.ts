/**
 * Turns a kernel's IOPub-style messages into nbformat outputs the way nbclient does:
 * consecutive stream chunks of one name merge into one output, display data keeps every
 * MIME type, and `update_display_data` rewrites — in place, in whichever cell it lives —
 * every output that was displayed with the same `display_id`.
 */
import type { Cell, DisplayDataOutput, MimeBundle, Output } from './nbformat';

/** What tslab hands to `writeDisplayData` (the content of a display_data message). */
export interface KernelDisplayData {
  data: Record<string, unknown>;
  metadata?: Record<string, unknown>;
  transient?: { display_id?: string };
}

const JSON_MIME = /^application\/(.*\+)?json$/;

/**
 * nbformat's MIME bundle: JSON MIME types keep their JSON value; everything else must be a
 * string — binary (a Uint8Array/Buffer) becomes base64, as the Jupyter wire protocol does.
 */
export function toMimeBundle(data: Record<string, unknown>): MimeBundle {
  const bundle: MimeBundle = {};
  for (const [mime, value] of Object.entries(data)) {
    if (JSON_MIME.test(mime)) bundle[mime] = value;
    else if (value instanceof Uint8Array) bundle[mime] = Buffer.from(value).toString('base64');
    else bundle[mime] = typeof value === 'string' ? value : JSON.stringify(value);
  }
  return bundle;
}

/** Where one cell's outputs go: tslab hands each execute request its own writers, and so do we. */
export interface CellWriter {
  stream(name: string, text: string): void;
  display(msg: KernelDisplayData, update: boolean): void;
  error(ename: string, evalue: string, traceback: string[]): void;
}

/** Records outputs into the cells of one notebook; display ids are shared by all its cells. */
export class OutputRecorder {
  private readonly displays = new Map<string, DisplayDataOutput[]>();

  /** Clears `cell`'s outputs and returns the writer for them. */
  startCell(cell: Cell): CellWriter {
    const outs: Output[] = (cell.outputs = []);
    return {
      stream: (name, text) => {
        if (text === '') return;
        const streamName = name === 'stderr' ? 'stderr' : 'stdout';
        const last = outs[outs.length - 1];
        if (last && last.output_type === 'stream' && last.name === streamName) {
          last.text = (Array.isArray(last.text) ? last.text.join('') : last.text) + text;
        } else {
          outs.push({ output_type: 'stream', name: streamName, text });
        }
      },
      display: (msg, update) => {
        const data = toMimeBundle(msg.data);
        const metadata = { ...(msg.metadata ?? {}) };
        const id = msg.transient?.display_id;
        if (update) {
          // As in Jupyter: an update for an id never displayed is dropped.
          for (const out of id ? (this.displays.get(id) ?? []) : []) {
            out.data = data;
            out.metadata = metadata;
          }
          return;
        }
        const out: DisplayDataOutput = { output_type: 'display_data', data, metadata };
        outs.push(out);
        if (id) this.displays.set(id, [...(this.displays.get(id) ?? []), out]);
      },
      error: (ename, evalue, traceback) => {
        outs.push({ output_type: 'error', ename, evalue, traceback });
      },
    };
  }
}
