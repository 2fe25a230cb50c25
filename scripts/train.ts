/**
 * Trains a shipped model by name and writes its checkpoint under checkpoints/<name>/:
 *
 *   npm run train -- listener [--steps N] [--minutes M] [--quick] [--out DIR]
 *
 * Each trainer lives in scripts/train/<name>.ts and takes the remaining arguments.
 */
import { initBackend } from '../lib';
import { trainListener } from './train/listener';
import { PRETRAIN_VARIANTS, pretrainTrainer } from './train/multimodal';
import { trainTacotronTeacher } from './train/tacotronTeacher';

const TRAINERS: Record<string, (args: string[]) => Promise<void>> = {
  listener: trainListener,
  'tacotron-teacher': trainTacotronTeacher,
  ...Object.fromEntries(Object.keys(PRETRAIN_VARIANTS).map((name) => [name, pretrainTrainer(name)])),
};

async function main(): Promise<void> {
  const [name, ...rest] = process.argv.slice(2);
  const trainer = name === undefined ? undefined : TRAINERS[name];
  if (!trainer) {
    console.error(`usage: npm run train -- <name> [options]; names: ${Object.keys(TRAINERS).join(', ')}${name ? ` (got '${name}')` : ''}`);
    process.exit(2);
  }
  await initBackend();
  await trainer(rest);
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack ?? e.message : e);
  process.exit(1);
});
