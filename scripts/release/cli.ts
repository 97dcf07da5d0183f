/**
 * `scripts/release.sh --image REF --builder-id URI [--layout DIR --tag TAG] …`: signs, attests
 * and writes the SBOMs of a built image (release-image.ts). Keys come from flags or the
 * environment (NOTATION_KEY_FILE, NOTATION_CERT_FILE, COSIGN_KEY; COSIGN_PASSWORD is read by
 * cosign only). Prints the release summary as JSON on stdout; progress on stderr.
 */
import { parseArgs } from 'node:util';
import { releaseImage } from './release-image.js';
import { ReleaseError } from './release-error.js';

const { values } = parseArgs({
  options: {
    image: { type: 'string' },
    layout: { type: 'string' },
    tag: { type: 'string' },
    'builder-id': { type: 'string' },
    'build-command': { type: 'string', multiple: true, default: [] },
    'source-repository': { type: 'string' },
    'source-ref': { type: 'string' },
    'notation-key': { type: 'string' },
    'notation-cert': { type: 'string' },
    'cosign-key': { type: 'string' },
    out: { type: 'string' },
    'plain-http': { type: 'boolean', default: false },
    'no-tlog': { type: 'boolean', default: false },
  },
});

function required(name: string, value: string | undefined, env?: string): string {
  const v = value ?? (env ? process.env[env] : undefined);
  if (!v) throw new ReleaseError('MISSING_INPUT', `--${name}${env ? ` (or $${env})` : ''} is required`);
  return v;
}

try {
  const result = await releaseImage({
    image: required('image', values.image),
    layout: values.layout ? { dir: values.layout, tag: required('tag', values.tag) } : undefined,
    projectDir: process.cwd(),
    builderId: required('builder-id', values['builder-id'], 'RELEASE_BUILDER_ID'),
    commands: values['build-command'],
    sourceRepository: values['source-repository'],
    sourceRef: values['source-ref'],
    notation: { keyFile: required('notation-key', values['notation-key'], 'NOTATION_KEY_FILE'), certFile: required('notation-cert', values['notation-cert'], 'NOTATION_CERT_FILE') },
    cosign: { key: required('cosign-key', values['cosign-key'], 'COSIGN_KEY') },
    plainHttp: values['plain-http'],
    noTlog: values['no-tlog'],
    outDir: values.out,
    log: (line) => console.error(`release: ${line}`),
  });
  console.log(JSON.stringify(result));
} catch (err) {
  const e = err as { code?: string; message: string };
  console.error(`release: ${e.code ?? 'ERROR'}: ${e.message}`);
  process.exit(e instanceof ReleaseError ? 1 : 2);
}
