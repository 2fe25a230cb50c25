/** Submissions for the grader's tests: the solution's lib with chosen regions edited. */
import * as fs from 'fs';
import * as path from 'path';
import { expect } from 'vitest';
import { findRegions } from '../scripts/coursework/markers';

const root = path.resolve(__dirname, '..');

export interface RegionEdit {
  /** The function holding the solution region (found by scanning, not by path). */
  owner: string;
  edit: (region: string) => string;
}

/** A copy of the solution's lib in `tmp/name` with each `edit` applied to its region. */
export function submissionWith(tmp: string, name: string, edits: RegionEdit[]): string {
  const dir = path.join(tmp, name);
  fs.cpSync(path.join(root, 'lib'), path.join(dir, 'lib'), { recursive: true });
  for (const { owner, edit } of edits) {
    const region = findRegions(dir).find((r) => r.owner === owner);
    if (!region) throw new Error(`no region in ${owner}`);
    const file = path.join(dir, region.file);
    const text = fs.readFileSync(file, 'utf8');
    const changed = edit(text.slice(region.start, region.end));
    expect(changed).not.toBe(text.slice(region.start, region.end));
    fs.writeFileSync(file, text.slice(0, region.start) + changed + text.slice(region.end));
  }
  return dir;
}

/** An edit that runs `code` first in `owner`'s region. */
export const prepend = (owner: string, code: string): RegionEdit => ({
  owner,
  edit: (s) => s.replace('// BEGIN SOLUTION', `// BEGIN SOLUTION\n${code}\n`),
});
