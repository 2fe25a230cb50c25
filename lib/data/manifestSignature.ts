/**
 * The checksum that covers a manifest's own fields. A dataset's files and a checkpoint's
 * weights each carry a sha256, but the fields that say how to read them (a quantisation's
 * offset and step, a sample rate, a model's configuration) live in the manifest itself; an
 * edit there would change every result silently. So every manifest carries
 *
 *   manifestSha256 = sha256(canonical JSON of the manifest without manifestSha256)
 *
 * where canonical JSON sorts object keys at every level. Readers refuse a manifest without
 * it or whose fields no longer match it; a deliberate edit is re-signed with
 * `npm run sign-manifests -- FOLDER…` (scripts/signManifests.ts).
 */
import * as crypto from 'crypto';
import { DatasetError } from './datasetError';

const FIELD = 'manifestSha256';

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value === null || typeof value !== 'object') return value;
  const entries = Object.entries(value as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(entries.map(([k, v]) => [k, canonical(v)]));
}

/** sha256 of the manifest's canonical JSON, leaving out its own signature field. */
export function manifestDigest(manifest: object): string {
  const rest: Record<string, unknown> = { ...(manifest as Record<string, unknown>) };
  delete rest[FIELD];
  return crypto
    .createHash('sha256')
    .update(JSON.stringify(canonical(rest)), 'utf8')
    .digest('hex');
}

/** `manifest` with its signature field set (last, so the fields above it read first). */
export function signManifest<M extends object>(manifest: M): M & { manifestSha256: string } {
  const rest: Record<string, unknown> = { ...(manifest as Record<string, unknown>) };
  delete rest[FIELD];
  return { ...(rest as M), [FIELD]: manifestDigest(rest) };
}

/** Throws a DatasetError naming `file` unless `manifest` carries a signature that matches its fields. */
export function verifyManifestSignature(file: string, manifest: object): void {
  const stated = (manifest as Record<string, unknown>)[FIELD];
  if (typeof stated !== 'string')
    throw new DatasetError(file, `unsigned manifest: no ${FIELD} (re-sign with npm run sign-manifests -- FOLDER)`);
  const actual = manifestDigest(manifest);
  if (actual !== stated)
    throw new DatasetError(
      file,
      `manifest fields changed since it was signed: ${FIELD} of its fields is ${actual}, manifest says ${stated}`,
    );
}
