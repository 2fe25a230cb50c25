/**
 * scripts/formatNotebooks.ts on tiny notebooks in a temp dir that holds a copy of the
 * project's .prettierrc.json (which prettier.resolveConfig finds from the notebook).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatCellSource, main, notebookOptions, serializeNotebook, splitLines } from '../scripts/formatNotebooks';
import { Notebook } from '../scripts/runner/nbformat';

const ROOT = path.resolve(__dirname, '..');
const CLI = path.join(ROOT, 'dist', 'scripts', 'formatNotebooks.js');

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'format-notebooks-'));
  fs.copyFileSync(path.join(ROOT, '.prettierrc.json'), path.join(dir, '.prettierrc.json'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const notebook = (cells: { type?: 'code' | 'markdown'; source: string | string[] }[]): Notebook => ({
  cells: cells.map((c, i) => ({
    cell_type: c.type ?? 'code',
    id: `c${i}`,
    metadata: {},
    source: c.source,
    ...(c.type === 'markdown' ? {} : { execution_count: null, outputs: [] }),
  })),
  metadata: { kernelspec: { name: 'tslab', display_name: 'TypeScript', language: 'typescript' } },
  nbformat: 4,
  nbformat_minor: 5,
});

function writeFile(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

/** main() with its messages collected. */
async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(
    argv,
    (l) => out.push(l),
    (l) => err.push(l),
  );
  return { code, out: out.join('\n'), err: err.join('\n') };
}

describe('formatNotebooks', () => {
  it('--check lists an unformatted cell and exits 1; writing fixes only code sources; then it is clean', async () => {
    const nb = notebook([
      { type: 'markdown', source: ['# Title\n', 'const  x={a:1}'] },
      { source: ["import * as bp from 'backprop-lab';"] },
      { source: ['const t = {a:1,b:[1,2]}\n', 'const r = await Promise.resolve(t)\n', 'r'] },
      { source: '' },
    ]);
    const file = writeFile('unformatted.ipynb', serializeNotebook(nb));
    const before = fs.readFileSync(file, 'utf8');

    const check = await run(['--check', file]);
    expect(check.code).toBe(1);
    expect(check.err).toBe('');
    expect(check.out).toContain('unformatted.ipynb: cell 2 (`const t = {a:1,b:[1,2]}`)');
    expect(check.out).not.toContain('cell 1 ');
    expect(fs.readFileSync(file, 'utf8')).toBe(before);

    const write = await run([file]);
    expect(write.code).toBe(0);
    expect(write.out).toMatch(/formatted 1 cell\(s\) of .*unformatted\.ipynb/);
    const text = fs.readFileSync(file, 'utf8');
    const fixed = JSON.parse(text) as Notebook;
    // Lines keep their '\n', the last has none (prettier's final newline is dropped), top-level await parses.
    expect(fixed.cells[2].source).toEqual([
      'const t = { a: 1, b: [1, 2] };\n',
      'const r = await Promise.resolve(t);\n',
      'r;',
    ]);
    expect(fixed.cells[0]).toEqual(nb.cells[0]);
    expect(fixed.cells[3]).toEqual(nb.cells[3]);
    expect(text).toBe(serializeNotebook({ ...nb, cells: [nb.cells[0], nb.cells[1], fixed.cells[2], nb.cells[3]] }));

    expect((await run(['--check', file])).code).toBe(0);
  });

  it('leaves a formatted notebook byte-identical, whatever its JSON layout', async () => {
    const nb = notebook([{ source: 'const answer = 6 * 7;\nanswer;' }, { source: ['let s = "it\'s";\n', 's;'] }]);
    const canonical = writeFile('formatted.ipynb', serializeNotebook(nb));
    const twoSpaces = writeFile('formatted-indent2.ipynb', JSON.stringify(nb, null, 2));
    const bytes = [canonical, twoSpaces].map((f) => fs.readFileSync(f));
    expect(await run([canonical, twoSpaces])).toEqual({ code: 0, out: '', err: '' });
    expect([canonical, twoSpaces].map((f) => fs.readFileSync(f))).toEqual(bytes);
    expect((await run(['--check', canonical, twoSpaces])).code).toBe(0);
  });

  it('names the notebook and the cell prettier cannot parse, exits 2 and leaves that notebook unwritten', async () => {
    const nb = notebook([{ source: 'const a  =  1' }, { source: ['const = ;\n', 'a'] }]);
    const file = writeFile('broken.ipynb', serializeNotebook(nb));
    const before = fs.readFileSync(file, 'utf8');
    for (const argv of [[file], ['--check', file]]) {
      const r = await run(argv);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/^formatNotebooks: .*broken\.ipynb: cell 2 \(`const = ;`\) cannot be parsed: /);
      expect(fs.readFileSync(file, 'utf8')).toBe(before);
    }
  });

  it('keeps a source that ends with a newline ending with one, and splits lines as nbformat does', async () => {
    const options = await notebookOptions(path.join(dir, 'any.ipynb'));
    expect(options).toMatchObject({ printWidth: 120, singleQuote: true, trailingComma: 'all' });
    expect(await formatCellSource('let a=1\n', options)).toBe('let a = 1;\n');
    expect(await formatCellSource('let a=1', options)).toBe('let a = 1;');
    expect(await formatCellSource('const o = {\n  a: 1 }', options)).toBe('const o = {\n  a: 1,\n};');
    expect(splitLines('')).toEqual([]);
    expect(splitLines('a\n\nb')).toEqual(['a\n', '\n', 'b']);
    expect(splitLines('a\n')).toEqual(['a\n']);
  });

  it('as the built script: exit 2 on an unknown flag, 1 when --check finds a cell to format', () => {
    if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: build first (npm run build, or npm test)`);
    const r = spawnSync(process.execPath, [CLI, '--chek'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^formatNotebooks: unknown flag '--chek' \(expected one of: --check, --dir, -h\/--help\)/);
    const file = writeFile('cli.ipynb', serializeNotebook(notebook([{ source: 'let a=1' }])));
    const check = spawnSync(process.execPath, [CLI, '--check', file], { cwd: ROOT, encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stdout).toContain('cli.ipynb: cell 1 (`let a=1`)');
  });
});
