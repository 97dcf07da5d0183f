import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The project directory: src/policy/ (sources) and dist/policy/ (build) both sit two levels below. */
export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
