/**
 * A real registry (olareg, OCI 1.1 referrers API) holding images pushed with `oras`, each signed
 * with the real `notation` CLI under one test key, plus the notation verifier config entry that
 * trusts that key. Shared set-up for webhook-level tests and benchmarks that need "N signed
 * images" and nothing more specific.
 */
import { join } from 'node:path';
import { createNotationCli, type NotationCli } from './notation-cli.js';
import { pushImage } from './push-image.js';
import { startRegistry, type RunningRegistry } from './registry-server.js';

export const NOTARY_SIGNATURE = 'application/vnd.cncf.notary.signature';

export interface SignedImage {
  /** `host/repo:tag` as a Pod would name it. */
  readonly ref: string;
  /** `host/repo`. */
  readonly repository: string;
  readonly tag: string;
  readonly digest: string;
}

export interface SignedImagesFixture {
  readonly registry: RunningRegistry;
  readonly notation: NotationCli;
  readonly images: readonly SignedImage[];
  /** A `verifiers[]` entry (SPEC "Configuration") of type notation trusting the signing key. */
  notationVerifier(name?: string): Record<string, unknown>;
  /** Stops the registry and removes the notation home. */
  stop(): Promise<void>;
}

export interface SignedImagesOptions {
  /** How many images; each is `<prefix><i>:<tag>` with distinct content. */
  readonly count: number;
  /** Repository path prefix; default `bench/app`. */
  readonly repositoryPrefix?: string;
  readonly tag?: string;
  /** Name of the notation test key (`notation cert generate-test`); default `release`. */
  readonly keyName?: string;
}

/** A `verifiers[]` entry of type notation trusting the test key `key` of `notation` (strict, every registry). */
export function notationVerifierEntry(notation: NotationCli, key = 'release', name = 'release-signatures'): Record<string, unknown> {
  return {
    name, type: 'notation', artifactTypes: [NOTARY_SIGNATURE], watch: false,
    trustStores: { ca: { [key]: [join(notation.configDir, 'localkeys', `${key}.crt`)] } },
    trustPolicy: {
      version: '1.0',
      trustPolicies: [{ name: 'all', registryScopes: ['*'], signatureVerification: { level: 'strict' }, trustStores: [`ca:${key}`], trustedIdentities: ['*'] }],
    },
  };
}

export async function startSignedImagesFixture(options: SignedImagesOptions): Promise<SignedImagesFixture> {
  const prefix = options.repositoryPrefix ?? 'bench/app';
  const tag = options.tag ?? '1';
  const key = options.keyName ?? 'release';
  const registry = await startRegistry('olareg');
  const notation = createNotationCli();
  try {
    await notation.run(['cert', 'generate-test', key]);
    const images: SignedImage[] = [];
    // Sequential: notation shares one config dir, and the machine is small.
    for (let i = 0; i < options.count; i++) {
      const repository = `${registry.host}/${prefix}${i}`;
      const pushed = await pushImage(`${repository}:${tag}`, { content: `signed image ${i}` });
      await notation.run(['sign', '--insecure-registry', '--key', key, `${repository}@${pushed.digest}`]);
      images.push({ ref: `${repository}:${tag}`, repository, tag, digest: pushed.digest });
    }
    return {
      registry,
      notation,
      images,
      notationVerifier: (name = 'release-signatures') => notationVerifierEntry(notation, key, name),
      async stop() {
        notation.cleanup();
        await registry.stop();
      },
    };
  } catch (err) {
    notation.cleanup();
    await registry.stop();
    throw err;
  }
}
