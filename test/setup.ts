// Every test file runs on the library's selected backend (wasm here; BACKPROP_BACKEND forces one).
import { beforeAll } from 'vitest';
import { initBackend } from '../lib';

beforeAll(async () => {
  await initBackend({ quiet: true });
});
