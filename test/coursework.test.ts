/**
 * Coursework: the grading checks pass on the solution (in-process).
 */
import { describe, expect, it } from 'vitest';
import * as lib from '../lib';
import { CHECKS } from '../coursework/checks';
import { runCheck } from '../coursework/checks/runItem';

describe('grading checks on the solution', () => {
  for (const id of Object.keys(CHECKS)) {
    it(`${id} passes`, async () => {
      const r = await runCheck(id, lib, lib);
      expect(r.message).toBe('');
      expect(r.status).toBe('pass');
      expect(r.comparisons.length).toBeGreaterThan(0);
    });
  }
});
