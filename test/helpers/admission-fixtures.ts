// Reads the AdmissionReview corpus in test/fixtures/admission/.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { PROJECT_ROOT } from './tools.js';

export const FIXTURES = join(PROJECT_ROOT, 'test/fixtures/admission');

export function fixtureText(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

export function fixture(name: string): { request: Record<string, unknown> & { object: unknown } } & Record<string, unknown> {
  return JSON.parse(fixtureText(name));
}
