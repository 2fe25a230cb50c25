/** Every grading check by id (the ids coursework/assignments.json names in its items). */
import { Check } from './check';
import { recurrentChecks } from './recurrent';

export const CHECKS: Record<string, Check> = { ...recurrentChecks };
