/** The README.md of a student release: what to implement, where it is explained, how to run and check it. */
import { Assignment, FunctionSpec } from './assignments';

/** A notebook solution cell of the release: its grade id, the functions it declares (kept as signatures), where. */
export interface NotebookStub {
  gradeId: string;
  functions: string[];
  where: string;
}

export function studentReadme(
  a: Assignment,
  functions: (FunctionSpec & { todo: string })[],
  notebookStubs: NotebookStub[],
  notebooks: string[],
  visibleTests: string[],
): string {
  const libPoints = a.items.reduce((s, i) => s + i.points, 0);
  const cellPoints = a.notebooks
    .flatMap((n) => n.cells)
    .reduce((s, c) => s + (c.role === 'test' ? (c.points ?? 0) : 0), 0);
  const lines = [
    `# ${a.id} · ${a.title}`,
    '',
    'This is a student copy of backprop-lab: a TypeScript library (`lib/`) and',
    'literate Jupyter notebooks (`notebooks/`, TypeScript cells run by the tslab kernel). In this copy the',
    'parts you implement are stubs: each throws',
    '',
    '```',
    'Error: TODO: <function> — see notebook NN, section K',
    '```',
    '',
    'until you replace the stub (the lines from `// TODO(<function>)` to the `throw`) with your code. The',
    'code after each stub — the cache it builds, what it returns — is given: your code must define the',
    'variables declared just above the `throw` (`let h!: …`) and may use the ones listed in `void [...]`.',
    'Every other function of the library works, except the stubs of other assignments.',
    '',
    '## What to implement',
    '',
    '| function | where it is explained |',
    '| --- | --- |',
    ...functions.map((f) => `| \`${f.name}\` | ${f.todo.replace(/^[^—]*— /, '')} |`),
    ...notebookStubs.map(
      (s) =>
        `| ${s.functions.length > 0 ? s.functions.map((f) => `\`${f}\``).join(', ') : s.gradeId} ` +
        `(notebook cell \`${s.gradeId}\`) | ${s.where} |`,
    ),
    '',
    'Find a function with `grep -rn "TODO(rnnForward)" lib/`.',
    '',
    '## Set up',
    '',
    '```sh',
    'npm install          # installs the dependencies and compiles lib/ to dist/ (Node ≥ 20)',
    'npm run kernel:install   # registers the TypeScript (tslab) kernel for Jupyter / VS Code',
    '```',
    '',
    'After editing `lib/`, run `npm run build` and restart the notebook kernel (notebooks import the',
    'compiled `dist/`).',
    '',
    '## Notebooks',
    '',
    ...notebooks.map((n) => `- \`notebooks/${n}\``),
    '',
    'Open them with `jupyter lab notebooks/` (kernel *TypeScript (tslab)*), or run them headless with',
    '`npm run notebooks -- 01` (quick mode: `BACKPROP_QUICK=1 npm run notebooks -- 01`); executed copies',
    'go to `out/notebooks/`. Cells starting with `// YOUR CODE HERE` are yours to write; the gradient-check',
    'cells are graded tests — leave them as they are.',
    '',
    '## Check your work',
    '',
    '```sh',
    'npm test             # builds, runs the visible tests: one line per test file, the stubs they wait for',
    'npx vitest run --reporter=default   # every failure in full',
    `npx vitest run ${visibleTests[0] ?? 'test/<file>.test.ts'}   # one file`,
    '```',
    '',
    `Visible tests: ${visibleTests.map((t) => `\`${t}\``).join(', ')}. They fail with the TODO messages until`,
    'you implement the functions they exercise. Grading runs further, hidden checks of the same kind:',
    'forwards against float64 references, backwards against autodiff and float64 numeric gradients,',
    'output shapes, and no leaked tensors (every temporary inside `tf.tidy` or disposed).',
    '',
    '## Points',
    '',
    '| item | points |',
    '| --- | --- |',
    ...a.items.map(
      (i) => `| ${i.covers.join(', ') === i.id ? i.id : `${i.id} (${i.covers.join(', ')})`} | ${i.points} |`,
    ),
    ...a.notebooks.flatMap((n) =>
      n.cells.filter((c) => c.role === 'test').map((c) => `| notebook ${n.notebook}: ${c.gradeId} | ${c.points} |`),
    ),
    `| **total** | **${libPoints + cellPoints}** |`,
    '',
    'Each item is graded in its own process with a time limit: a crash or an endless loop costs that item',
    'only. Submit this whole folder (without `node_modules/`).',
    '',
  ];
  return lines.join('\n');
}
