/**
 * `npm run bench -- [lstm | tacotron | audio | listener] [options]`: runs one of the benchmarks
 * (scripts/bench-lstm.ts, the default; scripts/bench-tacotron.ts; scripts/bench-audio.ts;
 * scripts/bench-listener.ts) with the remaining options, in a process of its own.
 */
import { spawnSync } from 'child_process';
import * as path from 'path';

const BENCHES = ['lstm', 'tacotron', 'audio', 'listener'];
const args = process.argv.slice(2);
const name = args[0] && !args[0].startsWith('-') ? args.shift()! : 'lstm';
if (!BENCHES.includes(name)) {
  console.error(`bench: unknown benchmark '${name}' (expected one of ${BENCHES.join(', ')})`);
  process.exit(2);
}
const run = spawnSync(process.execPath, [path.join(__dirname, `bench-${name}.js`), ...args], { stdio: 'inherit' });
process.exit(run.status ?? 1);
