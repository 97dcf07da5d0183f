/** The Dockerfile (for people with Docker) runs the image the way scripts/build-image.sh builds it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_INPUTS_FILE } from '../../../scripts/image/build-image.js';
import { readImageInputs } from '../../../scripts/image/image-inputs.js';
import { APP_DIR, CMD, ENTRYPOINT, ENV, EXPOSED_PORTS, IMAGE_USER } from '../../../scripts/image/image-config.js';
import { PROJECT_ROOT } from '../../helpers/tools.js';

const lines = readFileSync(join(PROJECT_ROOT, 'Dockerfile'), 'utf8').split('\n');
const lastStage = lines.slice(lines.findLastIndex((l) => l.startsWith('FROM ')));
const instruction = (name: string): string[] => lastStage.filter((l) => l.startsWith(`${name} `)).map((l) => l.slice(name.length + 1).trim());

describe('Dockerfile and the engine-free image', () => {
  it('run as the same user, with the same entry point, command and working directory', () => {
    expect(instruction('USER')).toEqual([`${IMAGE_USER.uid}:${IMAGE_USER.gid}`]);
    expect(instruction('ENTRYPOINT').map((v) => JSON.parse(v) as unknown)).toEqual([[...ENTRYPOINT]]);
    expect(instruction('CMD').map((v) => JSON.parse(v) as unknown)).toEqual([[...CMD]]);
    expect(instruction('WORKDIR')).toEqual([APP_DIR]);
  });

  it('set NODE_ENV alike and expose the same ports', () => {
    expect(instruction('ENV')).toEqual(ENV.filter((e) => !e.startsWith('PATH=')));
    expect(instruction('EXPOSE').flatMap((v) => v.split(/\s+/)).map((p) => `${p}/tcp`)).toEqual([...EXPOSED_PORTS]);
  });

  it('run the same node version, on the same Debian release', () => {
    const inputs = readImageInputs(DEFAULT_INPUTS_FILE);
    expect(lines).toContain(`ARG NODE_IMAGE=node:${inputs.node.version}-${inputs.debian.release.codename}-slim`);
  });

  it('copy the same things into /app', () => {
    const copied = instruction('COPY').map((v) => v.split(/\s+/).pop());
    expect(copied).toEqual(['./', './node_modules', './dist', './bin']);
  });
});
