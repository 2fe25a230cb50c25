/**
 * What `npm test` prints in a student release: one line per test file — how many tests pass,
 * which stubs the failing ones still wait for (the `TODO: <function> — see notebook NN,
 * section K` their errors carry), and how many fail for other reasons — then a total. The
 * full failure messages stay one command away (`npx vitest run --reporter=default`); a
 * release's first run would otherwise print hundreds of lines of TODO stack traces.
 */
import type { Reporter, TestModule } from 'vitest/node';

const TODO = /TODO: ([\w.$-]+) — (see [^'"\n]+)/;

/** One test file's line: "✗ test/rnn.test.ts: 2/8 pass; 6 wait for rnnForward, rnnBackward (…)". */
export function moduleSummary(name: string, results: { passed: boolean; errors: string[] }[]): string {
  const passed = results.filter((r) => r.passed).length;
  const waiting = new Map<string, string>();
  let otherFailures = 0;
  for (const r of results.filter((x) => !x.passed)) {
    const todo = r.errors.map((e) => TODO.exec(e)).find((m) => m !== null);
    if (todo) waiting.set(todo[1], todo[2]);
    else otherFailures += 1;
  }
  const stubbed = results.length - passed - otherFailures;
  const parts = [`${passed}/${results.length} pass`];
  if (stubbed > 0)
    parts.push(`${stubbed} wait for ${[...waiting].map(([fn, where]) => `${fn} (${where})`).join(', ')}`);
  if (otherFailures > 0) parts.push(`${otherFailures} fail otherwise`);
  return `${passed === results.length ? '✓' : '✗'} ${name}: ${parts.join('; ')}`;
}

export default class StudentReporter implements Reporter {
  onTestRunEnd(modules: ReadonlyArray<TestModule>): void {
    const lines: string[] = [];
    let total = 0;
    let passed = 0;
    for (const m of modules) {
      const results = [...m.children.allTests()].map((t) => {
        const r = t.result();
        return { passed: r.state === 'passed', errors: r.state === 'failed' ? r.errors.map((e) => e.message) : [] };
      });
      if (results.length === 0 && m.state() === 'failed') {
        lines.push(`✗ ${m.relativeModuleId}: did not load (${m.errors()[0]?.message ?? 'see --reporter=default'})`);
        continue;
      }
      total += results.length;
      passed += results.filter((r) => r.passed).length;
      lines.push(moduleSummary(m.relativeModuleId, results));
    }
    lines.push('', `${passed}/${total} tests pass. Every failure in full: npx vitest run --reporter=default`);
    process.stdout.write(`${lines.join('\n')}\n`);
  }
}
