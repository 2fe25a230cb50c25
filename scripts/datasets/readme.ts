/** The sections every generated dataset README shares. */
import { DatasetManifest } from '../../lib/data/datasetFiles';

/** Title, description and the generator's own paragraphs. */
export function readmeHead(name: string, description: string, body: string): string[] {
  return [`# ${name}`, '', description, '', body.trim(), ''];
}

/** The files table with each file's bytes and contents, the total, and what the loaders check (`checks`). */
export function filesSection(manifest: DatasetManifest, checks: string): string[] {
  const total = manifest.files.reduce((s, f) => s + f.bytes, 0);
  return [
    '## Files',
    '',
    '| file | bytes | contents |',
    '|---|---|---|',
    ...manifest.files.map((f) => `| \`${f.name}\` | ${f.bytes} | ${f.description} |`),
    '',
    `Total ${(total / 1e6).toFixed(2)} MB. ${checks}`,
    '',
  ];
}
