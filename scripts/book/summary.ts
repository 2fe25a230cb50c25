/** What building the book prints: where it is, page sizes, maths that KaTeX could not render. */
import * as path from 'path';
import type { BookResult } from './build';

const kb = (bytes: number): string => `${(bytes / 1024).toFixed(bytes < 10 * 1024 ? 1 : 0)} kB`;

export function bookSummary(result: BookResult, cwd: string): string[] {
  const rel = (p: string): string => path.relative(cwd, p) || '.';
  const lines = [
    `book: ${rel(result.index)} — ${result.pages.length - 1} notebook page(s), shared assets ${kb(result.assetsBytes)}`,
  ];
  for (const p of result.pages) lines.push(`  ${path.basename(p.file).padEnd(36)} ${kb(p.bytes).padStart(9)}`);
  for (const e of result.mathErrors) lines.push(`  maths error in ${e.stem}: ${e.message}`);
  return lines;
}
