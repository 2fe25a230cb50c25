/**
 * `npm run release -- [--assignment A1] [--out DIR] [--no-zip] [--nbgrader-source DIR]`
 *
 * Writes, per assignment of coursework/assignments.json, a self-contained student project:
 * the library with every solution region stubbed (it compiles and throws
 * `TODO: <function> — see notebook NN, section K`), the assignment's notebooks with nbgrader
 * metadata and solution cells stubbed, outputs cleared, the visible tests (hidden ones left
 * out), the notebook runner, the datasets and shipped weights the notebooks load, package.json
 * + lockfile, a student README, and a zip. With --assignment the project goes to DIR itself and the zip
 * to DIR.zip; without it, to DIR/<id>/ and DIR/<id>.zip for every assignment (default DIR:
 * out/release). --nbgrader-source DIR also writes the instructor's notebooks with the same
 * metadata and solutions kept between BEGIN/END SOLUTION, as DIR/source/<id>/*.ipynb (the
 * layout of an nbgrader course directory), for instructors who run nbgrader themselves.
 */
import AdmZip from 'adm-zip';
import * as fs from 'fs';
import * as path from 'path';
import { parseArgs } from 'util';
import { joinText, readNotebook, writeNotebook } from '../runner/nbformat';
import { Assignment, FunctionSpec, findAssignment, loadAssignments, markerProblems, notebookFile } from './assignments';
import { findRegions, listTsFiles, Region } from './markers';
import { declaredFunctions, sectionNumber, studentNotebook, validateNbgrader } from './nbgrader';
import { StubPlan, stubLibrary } from './stub';
import { NotebookStub, studentReadme } from './studentReadme';

/** Marks a directory as written by release, so a re-release may replace it. */
export const RELEASE_MARK = '.coursework-release.json';

/** Scripts students need: the headless notebook runner and the kernel installer (with what they import). */
const SCRIPT_ENTRIES = [
  'scripts/run-notebooks.ts',
  'scripts/notebook-worker.ts',
  'scripts/kernel-install.ts',
  'scripts/tslab-kernel.ts',
];
/** The book's stylesheet and script: not TypeScript, so no import closure finds them. */
export const BOOK_ASSETS = 'scripts/book/assets';
const STUDENT_SCRIPTS = ['build', 'notebooks', 'test', 'kernel:install', 'prepare'];

/** The project's test script checks formatting (the project's own code style); students' tests do not. */
const FORMAT_CHECK_STEP = ' && npm run format:check --silent';

/** Where the TODO for a function points: `notebook NN, section K` from the assignment file. */
export function todoMessage(root: string, fn: FunctionSpec): string {
  if (!fn.notebook) return `${fn.name} — see its doc comment`;
  const file = notebookFile(root, fn.notebook);
  const nb = readNotebook(file);
  let k = sectionNumber(
    nb,
    `${path.basename(file)} (for ${fn.name})`,
    fn.section !== undefined ? { title: fn.section } : {},
  );
  if (k === null) {
    const short = fn.name.split('.')[0];
    const cell = nb.cells.findIndex((c) => c.cell_type === 'code' && [c.source].flat().join('').includes(short));
    k = cell >= 0 ? sectionNumber(nb, path.basename(file), { cell }) : null;
  }
  return `${fn.name} — see notebook ${fn.notebook}${k === null ? '' : `, section ${k}`}`;
}

/** Stub plans for every region of the library (every assignment's functions are stubbed in every release). */
export function stubPlans(root: string, all: Assignment[], regions: Region[]): StubPlan[] {
  const problems = markerProblems(all, regions);
  if (problems.length > 0)
    throw new Error(`solution markers and ${'coursework/assignments.json'} disagree:\n${problems.join('\n')}`);
  const specs = new Map(all.flatMap((a) => a.functions.map((f) => [f.name, f] as const)));
  const messages = new Map<string, string>();
  return regions.map((region) => {
    if (!messages.has(region.owner))
      messages.set(region.owner, todoMessage(root, specs.get(region.owner) as FunctionSpec));
    return { region, message: messages.get(region.owner) as string };
  });
}

/** `files` plus every project .ts file they import with a relative path, transitively. */
export function localImportClosure(root: string, files: string[]): string[] {
  const seen = new Set<string>();
  const queue = [...files];
  while (queue.length > 0) {
    const file = queue.pop() as string;
    if (seen.has(file)) continue;
    seen.add(file);
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    for (const m of text.matchAll(/(?:from|import|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g)) {
      const base = path.posix.normalize(path.posix.join(path.posix.dirname(file), m[1]));
      const hit = [`${base}.ts`, `${base}/index.ts`, base].find(
        (c) => fs.existsSync(path.join(root, c)) && fs.statSync(path.join(root, c)).isFile(),
      );
      if (hit && !hit.startsWith('lib/')) queue.push(hit);
    }
  }
  return [...seen].sort();
}

function copyFile(root: string, rel: string, out: string): void {
  fs.mkdirSync(path.dirname(path.join(out, rel)), { recursive: true });
  fs.copyFileSync(path.join(root, rel), path.join(out, rel));
}

function copyTree(root: string, rel: string, out: string): void {
  fs.cpSync(path.join(root, rel), path.join(out, rel), { recursive: true });
}

function prepareOut(out: string): void {
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) {
    if (!fs.existsSync(path.join(out, RELEASE_MARK)))
      throw new Error(`${out} exists, is not empty and was not written by release: refusing to overwrite it`);
    for (const entry of fs.readdirSync(out))
      if (entry !== 'node_modules') fs.rmSync(path.join(out, entry), { recursive: true, force: true });
  }
  fs.mkdirSync(out, { recursive: true });
}

/** The one-line-per-file summary a student's `npm test` prints (studentReporter.ts). */
const STUDENT_REPORTER = 'scripts/coursework/studentReporter.ts';

/** The project's vitest configuration with the student reporter instead of the default one. */
function studentVitestConfig(root: string): string {
  const text = fs.readFileSync(path.join(root, 'vitest.config.mts'), 'utf8');
  if (!text.includes('  test: {'))
    throw new Error("release: vitest.config.mts has no '  test: {' to add the reporter to");
  return text.replace('  test: {', `  test: {\n    reporters: ['./${STUDENT_REPORTER}'],`);
}

function studentPackageJson(root: string): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts: Record<string, string>;
  };
  pkg.scripts = Object.fromEntries(Object.entries(pkg.scripts).filter(([k]) => STUDENT_SCRIPTS.includes(k)));
  if (!pkg.scripts.test.includes(FORMAT_CHECK_STEP)) {
    throw new Error(`release: package.json's test script no longer contains '${FORMAT_CHECK_STEP.trim()}'`);
  }
  pkg.scripts.test = pkg.scripts.test.replace(FORMAT_CHECK_STEP, '');
  return JSON.stringify(pkg, null, 2) + '\n';
}

function studentTsconfig(root: string): string {
  const cfg = JSON.parse(fs.readFileSync(path.join(root, 'tsconfig.json'), 'utf8')) as { include: string[] };
  cfg.include = cfg.include.filter((p) => !p.startsWith('coursework'));
  return JSON.stringify(cfg, null, 2) + '\n';
}

export interface ReleaseResult {
  out: string;
  zip: string | null;
  stubbedRegions: number;
  notebooks: string[];
  tests: string[];
}

/** Writes one assignment's student project into `out` (and `zipPath` unless null). */
export function releaseAssignment(
  root: string,
  all: Assignment[],
  a: Assignment,
  out: string,
  zipPath: string | null,
  stubbed?: Map<string, string>,
): ReleaseResult {
  const regions = findRegions(root);
  const texts = stubbed ?? stubLibrary(root, listTsFiles(root, 'lib'), stubPlans(root, all, regions));
  prepareOut(out);
  copyTree(root, 'lib', out); // every file, .d.ts and data included; then the stubs over the solutions
  for (const [file, text] of texts) fs.writeFileSync(path.join(out, file), text);
  for (const file of localImportClosure(root, SCRIPT_ENTRIES)) copyFile(root, file, out);
  copyTree(root, BOOK_ASSETS, out);
  const tests = localImportClosure(root, [...a.visibleTests, 'test/setup.ts']);
  for (const file of tests) copyFile(root, file, out);
  for (const file of ['tsconfig.build.json', 'package-lock.json', '.gitignore', STUDENT_REPORTER])
    copyFile(root, file, out);
  fs.writeFileSync(path.join(out, 'vitest.config.mts'), studentVitestConfig(root));
  copyTree(root, 'shims', out);
  for (const d of a.datasets) copyTree(root, path.join('datasets', d), out);
  for (const c of a.checkpoints) copyTree(root, path.join('checkpoints', c), out);
  fs.writeFileSync(path.join(out, 'package.json'), studentPackageJson(root));
  fs.writeFileSync(path.join(out, 'tsconfig.json'), studentTsconfig(root));

  const notebooks: string[] = [];
  const notebookStubs: NotebookStub[] = [];
  const specs = new Map(a.functions.map((f) => [f.name, f]));
  for (const { notebook, cells } of a.notebooks) {
    const file = notebookFile(root, notebook);
    const nb = readNotebook(file);
    const student = studentNotebook(nb, cells, path.basename(file), (cell, i) => {
      const k = sectionNumber(nb, path.basename(file), { cell: i });
      const where = `see notebook ${notebook}${k === null ? '' : `, section ${k}`}`;
      if (cell.role === 'solution')
        notebookStubs.push({
          gradeId: cell.gradeId,
          functions: declaredFunctions(joinText(nb.cells[i].source)),
          where,
        });
      return `${cell.gradeId} — ${where}`;
    });
    const problems = validateNbgrader(student);
    if (problems.length > 0)
      throw new Error(`${path.basename(file)}: nbgrader metadata invalid:\n${problems.join('\n')}`);
    writeNotebook(path.join(out, 'notebooks', path.basename(file)), student);
    notebooks.push(path.basename(file));
  }
  fs.writeFileSync(
    path.join(out, 'README.md'),
    studentReadme(
      a,
      [...specs.values()].map((f) => ({ ...f, todo: todoMessage(root, f) })),
      notebookStubs,
      notebooks,
      a.visibleTests,
    ),
  );
  fs.writeFileSync(
    path.join(out, RELEASE_MARK),
    JSON.stringify({ assignment: a.id, title: a.title, stubbedRegions: regions.length, notebooks, tests }, null, 2) +
      '\n',
  );

  if (zipPath) {
    const zip = new AdmZip();
    zip.addLocalFolder(out, path.basename(out), (name: string) => !name.split(/[\\/]/).includes('node_modules'));
    fs.mkdirSync(path.dirname(zipPath), { recursive: true });
    zip.writeZip(zipPath);
  }
  return { out, zip: zipPath, stubbedRegions: regions.length, notebooks, tests };
}

/**
 * The instructor's notebooks with nbgrader metadata and solutions between delimiters
 * (for nbgrader's own generate_assignment).
 */
export function writeNbgraderSource(root: string, a: Assignment, dir: string): void {
  for (const { notebook, cells } of a.notebooks) {
    const file = notebookFile(root, notebook);
    const source = studentNotebook(readNotebook(file), cells, path.basename(file), () => '', false);
    const problems = validateNbgrader(source);
    if (problems.length > 0)
      throw new Error(`${path.basename(file)}: nbgrader metadata invalid:\n${problems.join('\n')}`);
    writeNotebook(path.join(dir, path.basename(file)), source);
  }
}

function main(): number {
  const { values } = parseArgs({
    options: {
      assignment: { type: 'string' },
      out: { type: 'string' },
      'no-zip': { type: 'boolean', default: false },
      'nbgrader-source': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(
      'usage: npm run release -- [--assignment ID] [--out DIR] [--no-zip] [--nbgrader-source DIR]\n',
    );
    return 0;
  }
  const root = process.cwd();
  const all = loadAssignments(root);
  const chosen = values.assignment ? [findAssignment(all, values.assignment)] : all;
  const base = path.resolve(values.out ?? path.join('out', 'release'));
  const regions = findRegions(root);
  process.stdout.write(
    `release: stubbing ${regions.length} solution regions in ${new Set(regions.map((r) => r.file)).size} files…\n`,
  );
  const stubbed = stubLibrary(root, listTsFiles(root, 'lib'), stubPlans(root, all, regions));
  for (const a of chosen) {
    const out = values.assignment ? base : path.join(base, a.id);
    const zip = values['no-zip'] ? null : values.assignment ? `${base}.zip` : path.join(base, `${a.id}.zip`);
    const r = releaseAssignment(root, all, a, out, zip, stubbed);
    const visibleTests = r.tests.filter((t) => t.endsWith('.test.ts')).length;
    process.stdout.write(
      `release ${a.id}: ${r.out} (${r.notebooks.join(', ')}; ` +
        `${visibleTests} visible test files)${r.zip ? `, ${r.zip}` : ''}\n`,
    );
    if (values['nbgrader-source']) {
      const dir = path.resolve(values['nbgrader-source'], 'source', a.id);
      writeNbgraderSource(root, a, dir);
      process.stdout.write(`release ${a.id}: nbgrader source notebooks in ${dir}\n`);
    }
  }
  return 0;
}

if (require.main === module) {
  try {
    process.exitCode = main();
  } catch (e) {
    process.stderr.write(`release: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}
