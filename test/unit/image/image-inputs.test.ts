import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { DEFAULT_INPUTS_FILE } from '../../../scripts/image/build-image.js';
import { pinnedArchitectures, readImageInputs } from '../../../scripts/image/image-inputs.js';
import { PROJECT_ROOT } from '../../helpers/tools.js';

describe('scripts/image/inputs.json', () => {
  const dir = mkdtempSync(join(tmpdir(), 'image-inputs-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const inputs = readImageInputs(DEFAULT_INPUTS_FILE);

  it('pins node at the version of the `node` devDependency in package-lock.json', () => {
    const lock = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    expect(inputs.node.version).toBe(lock.packages['node_modules/node']?.version);
  });

  it('pins every input for amd64 and arm64', () => {
    expect(pinnedArchitectures(inputs)).toEqual(['amd64', 'arm64']);
  });

  it('refuses a pin that is not a digest, naming the problem', () => {
    const bad = structuredClone(inputs);
    (bad.debian.packages[0] as { sha256: Record<string, string> }).sha256.amd64 = 'latest';
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify(bad));
    expect(() => readImageInputs(file)).toThrow(expect.objectContaining({ code: 'BAD_INPUTS' }));
  });

  it('leaves out an architecture some input is not pinned for', () => {
    const partial = structuredClone(inputs);
    delete (partial.node.packages as Record<string, unknown>).arm64;
    expect(pinnedArchitectures(partial)).toEqual(['amd64']);
  });
});
