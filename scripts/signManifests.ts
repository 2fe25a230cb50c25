/**
 * `npm run sign-manifests -- FOLDER…`
 *
 * Re-signs the `manifest.json` of each dataset or checkpoint folder after a deliberate edit of
 * its fields (lib/data/manifestSignature.ts): sets manifestSha256 to the sha256 of its fields,
 * keeping the file's indentation. Files are not touched; their own sha256 still guards them.
 * Prints each folder with its new signature. Exit code 2 on a folder without a manifest.
 */
import * as fs from 'fs';
import * as path from 'path';
import { signManifest } from '../lib/data/manifestSignature';

function main(folders: string[]): number {
  if (folders.length === 0) {
    process.stderr.write('usage: npm run sign-manifests -- FOLDER…\n');
    return 2;
  }
  for (const folder of folders) {
    const file = path.join(folder, 'manifest.json');
    if (!fs.existsSync(file)) {
      process.stderr.write(`sign-manifests: ${file} does not exist\n`);
      return 2;
    }
    const text = fs.readFileSync(file, 'utf8');
    const indent = text.startsWith('{\n') ? (/^\{\n( +)/.exec(text)?.[1].length ?? 2) : 0;
    const signed = signManifest(JSON.parse(text) as object);
    fs.writeFileSync(file, `${JSON.stringify(signed, null, indent || undefined)}\n`);
    process.stdout.write(`${file}: manifestSha256 ${signed.manifestSha256}\n`);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
