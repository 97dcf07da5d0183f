/**
 * Signatures made by the real notation CLI (v1.3.2) into an OCI layout on disk, verified by
 * Portcullis: a `notation cert generate-test` key (RSA, PS256) and an openssl root →
 * intermediate → leaf chain (EC P-256, ES256); JWS and COSE; `--expiry`; RFC 3161 timestamps
 * from a local openssl TSA. Each tampering or policy mismatch fails with its own code.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { constants, createPrivateKey, sign as cryptoSign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../../../src/observability/logger.js';
import { CborTag, decodeCbor, type CborValue } from '../../../../src/shared/cbor/decode-cbor.js';
import { EncodableTag, encodeCbor, type EncodableCbor } from '../../../../src/shared/cbor/encode-cbor.js';
import type { Descriptor } from '../../../../src/oci/types.js';
import { createNotationVerifier, type NotationVerifier } from '../../../../src/verifiers/notation/create-notation-verifier.js';
import type { ReferrerArtifact, VerifierResult } from '../../../../src/verifiers/verifier.js';
import { createOciLayoutImage } from '../../../helpers/create-oci-layout-image.js';
import { createNotationCli, type NotationCli } from '../../../helpers/notation-cli.js';
import { readOciLayout, type OciLayout } from '../../../helpers/oci-layout.js';
import { createCodeSigningChain, type CodeSigningChain, type LeafKey } from '../../../helpers/openssl-code-signing-chain.js';
import { VECTORS } from '../../../helpers/tools.js';
import { startTsaServer, type TsaServer } from '../../../helpers/tsa-server.js';

const REGISTRY = 'registry.example';
const CRL = join(VECTORS, 'notation-e2e-config/crl');
const REPOSITORY = 'team/app';
const HOUR = 3_600_000;
const DAY = 24 * HOUR;

let work: string;
let cli: NotationCli;
let tsa: TsaServer;
let chain: CodeSigningChain;
let genCert: string;
let genKey: string;
let layoutDir: string;
let layout: OciLayout;
const images = new Map<string, Descriptor>();
const ALGORITHMS: readonly [LeafKey, string][] = [['rsa', 'PS384'], ['rsa4096', 'PS512'], ['ec384', 'ES384'], ['ec521', 'ES512']];
const algorithmRoots = new Map<string, string>();

/** Signs a fresh image tagged `tag` in the layout with `notation sign --oci-layout`. */
async function signImage(tag: string, args: string[]): Promise<void> {
  images.set(tag, createOciLayoutImage(layoutDir, tag));
  await cli.run(['sign', '--oci-layout', `${layoutDir}:${tag}`, ...args]);
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'notation-cli-signatures-'));
  cli = createNotationCli();
  tsa = await startTsaServer();
  await cli.run(['cert', 'generate-test', '--default', 'gen']);
  genCert = join(cli.configDir, 'localkeys', 'gen.crt');
  genKey = join(cli.configDir, 'localkeys', 'gen.key');
  mkdirSync(join(work, 'chain'));
  chain = await createCodeSigningChain(join(work, 'chain'), { key: 'ec', leafDays: 30 });
  // The chain's notBefore is "now" to the second, and a timestamp's range is genTime ± 1 s: wait
  // so the earliest possible time of the timestamps below is inside the leaf's validity.
  await new Promise((ok) => setTimeout(ok, 2100));
  cli.addSigningKey('chain', chain.keyPath, chain.chainPath);
  layoutDir = join(work, 'layout');
  const ts = ['--timestamp-url', tsa.url, '--timestamp-root-cert', tsa.rootCertPath];
  await signImage('gen-jws', ['--key', 'gen', '--signature-format', 'jws']);
  await signImage('gen-cose', ['--key', 'gen', '--signature-format', 'cose']);
  await signImage('gen-expiry', ['--key', 'gen', '--expiry', '1h']);
  await signImage('chain-cose', ['--key', 'chain', '--signature-format', 'cose']);
  await signImage('chain-jws-ts', ['--key', 'chain', '--signature-format', 'jws', ...ts]);
  await signImage('chain-cose-ts', ['--key', 'chain', '--signature-format', 'cose', ...ts]);
  // One more chain per remaining algorithm of the spec's table, signed alternately as JWS and COSE.
  for (const [i, [key, alg]] of ALGORITHMS.entries()) {
    mkdirSync(join(work, key));
    const c = await createCodeSigningChain(join(work, key), { key });
    algorithmRoots.set(key, c.rootPath);
    cli.addSigningKey(key, c.keyPath, c.chainPath);
    await signImage(`alg-${alg}`, ['--key', key, '--signature-format', i % 2 === 0 ? 'jws' : 'cose']);
  }
  // notation's e2e CRL chain (read in place): its certificates name CRL distribution points.
  cli.addSigningKey('crl', join(CRL, 'leaf.key'), join(CRL, 'certchain_with_crl.pem'));
  await signImage('crl-jws', ['--key', 'crl']);
  layout = readOciLayout(layoutDir);
}, 240_000);

afterAll(async () => {
  await tsa?.close();
  cli?.cleanup();
  rmSync(work, { recursive: true, force: true });
});

interface Setup {
  readonly stores?: Record<string, Record<string, string[]>>;
  readonly scopes?: string[];
  readonly identities?: string[];
  readonly level?: string;
  readonly override?: Record<string, string>;
  /** Add the local TSA's root as `tsa:test`: timestamps are then required (verifyTimestamp: always). */
  readonly tsa?: boolean;
}

async function verifier(setup: Setup = {}): Promise<NotationVerifier> {
  const stores: Record<string, Record<string, string[]>> = { ...(setup.stores ?? { ca: { gen: [genCert], release: [chain.rootPath] } }) };
  if (setup.tsa) stores.tsa = { test: [tsa.rootCertPath] };
  const refs = Object.entries(stores).flatMap(([type, named]) => Object.keys(named).map((n) => `${type}:${n}`));
  return (await createNotationVerifier({
    name: 'release-signatures',
    type: 'notation',
    trustStores: stores,
    trustPolicy: {
      version: '1.0',
      trustPolicies: [{
        name: 'all',
        registryScopes: setup.scopes ?? ['*'],
        signatureVerification: { level: setup.level ?? 'strict', ...(setup.override ? { override: setup.override } : {}) },
        trustStores: refs,
        trustedIdentities: setup.identities ?? ['*'],
      }],
    },
    watch: false,
  }, 'verifiers[0]', { baseDir: work, logger: silentLogger() })) as NotationVerifier;
}

function signatureOf(tag: string): ReferrerArtifact {
  const image = images.get(tag)!;
  const refs = layout.referrers(image.digest);
  expect(refs).toHaveLength(1);
  return refs[0]!;
}

async function verifyTag(tag: string, options: { setup?: Setup; now?: Date; subjectTag?: string; artifact?: ReferrerArtifact } = {}): Promise<VerifierResult> {
  const v = await verifier(options.setup);
  const subject = layout.subject(images.get(options.subjectTag ?? tag)!, REGISTRY, REPOSITORY);
  return v.verify(subject, options.artifact ?? signatureOf(tag), { signal: AbortSignal.timeout(5000), now: options.now ?? new Date(), nested: [] });
}

/** The same signature artifact with its envelope bytes replaced. */
function withEnvelope(artifact: ReferrerArtifact, bytes: Uint8Array): ReferrerArtifact {
  const blob = artifact.blobs[0]!;
  return { ...artifact, blobs: [{ descriptor: blob.descriptor, bytes }] };
}

/** Decoded CBOR back to what encodeCbor takes (maps, tags, arrays, strings, integers). */
function toEncodable(v: CborValue): EncodableCbor {
  if (v instanceof CborTag) return new EncodableTag(v.tag, toEncodable(v.value));
  if (v instanceof Map) return new Map([...v].map(([k, x]) => [k as number | string, toEncodable(x)]));
  if (Array.isArray(v)) return v.map(toEncodable);
  if (typeof v === 'number' || typeof v === 'string' || v instanceof Uint8Array) return v;
  throw new Error(`cannot re-encode ${String(v)}`);
}

describe('notation CLI signatures', () => {
  it('TIMESTAMP_MISSING: a policy with a tsa store requires a timestamp', async () => {
    const r = await verifyTag('gen-jws', { setup: { tsa: true } });
    expect(r).toMatchObject({ valid: false, error: { code: 'TIMESTAMP_MISSING' } });
  });

  describe('good signatures', () => {
    it('verifies a JWS signature made with a generate-test key', async () => {
      const r = await verifyTag('gen-jws');
      expect(r).toMatchObject({ valid: true, details: { envelopeType: 'jws', signingScheme: 'notary.x509', signer: { subject: expect.stringContaining('CN=gen') } } });
      expect(r.artifactType).toBe('application/vnd.cncf.notary.signature');
    });
    it('verifies a COSE signature made with a generate-test key', async () => {
      const r = await verifyTag('gen-cose');
      expect(r).toMatchObject({ valid: true, details: { envelopeType: 'cose' } });
    });
    it('verifies a COSE ES256 signature through root → intermediate → leaf', async () => {
      const r = await verifyTag('chain-cose', { setup: { identities: ['x509.subject: C=US, ST=WA, O=Example, CN=release'] } });
      expect(r).toMatchObject({ valid: true, details: { signer: { subject: 'CN=release,O=Example,L=Seattle,ST=WA,C=US', issuer: 'CN=Example Intermediate,O=Example,ST=WA,C=US' } } });
      expect(r.details.certificateChain).toHaveLength(3);
    });
    it.each(['chain-jws-ts', 'chain-cose-ts'])('verifies %s with its RFC 3161 timestamp from the local TSA', async (tag) => {
      const r = await verifyTag(tag, { setup: { tsa: true } });
      expect(r.error).toBeUndefined();
      expect(r.valid).toBe(true);
      expect(r.details.timestamp).toMatchObject({ tsa: 'CN=Test TSA,O=Portcullis Test,C=US' });
      expect(r.details.checks).toContainEqual(expect.objectContaining({ name: 'authenticTimestamp', outcome: 'pass' }));
      expect(tsa.issued()).toBeGreaterThanOrEqual(2);
    });
    it.each(ALGORITHMS)('verifies a %s-key signature (%s)', async (key, alg) => {
      const r = await verifyTag(`alg-${alg}`, { setup: { stores: { ca: { [key]: [algorithmRoots.get(key)!] } } } });
      expect(r.error).toBeUndefined();
      expect(r).toMatchObject({ valid: true, details: { checks: expect.arrayContaining([{ name: 'integrity', outcome: 'pass', message: `${alg} signature verified` }]) } });
    });
    it('verifies a signature with an expiry before it expires', async () => {
      const r = await verifyTag('gen-expiry');
      expect(r.valid).toBe(true);
      expect(r.details.expiry).toEqual(expect.any(String));
    });
  });

  describe('failures, each with its own code', () => {
    it('TARGET_MISMATCH: the signature is for another image', async () => {
      const r = await verifyTag('gen-jws', { subjectTag: 'gen-cose' });
      expect(r).toMatchObject({ valid: false, error: { code: 'TARGET_MISMATCH' } });
    });
    it('TARGET_MISMATCH: the signed payload names another digest than the subject', async () => {
      // The signature manifest is attached to the right image, but the envelope signs another one.
      const other = signatureOf('gen-cose');
      const art = withEnvelope(signatureOf('gen-jws'), other.blobs[0]!.bytes);
      const r = await verifyTag('gen-jws', { artifact: { ...art, blobs: [{ descriptor: { ...other.blobs[0]!.descriptor, mediaType: 'application/cose' }, bytes: other.blobs[0]!.bytes }], manifest: other.manifest } });
      expect(r).toMatchObject({ valid: false, error: { code: 'TARGET_MISMATCH' } });
    });
    it('SIGNATURE_INVALID: the payload digest was altered in the envelope', async () => {
      const art = signatureOf('gen-jws');
      const env = JSON.parse(Buffer.from(art.blobs[0]!.bytes).toString('utf8')) as { payload: string };
      const payload = JSON.parse(Buffer.from(env.payload, 'base64url').toString('utf8')) as { targetArtifact: { digest: string } };
      payload.targetArtifact.digest = images.get('gen-cose')!.digest;
      env.payload = Buffer.from(JSON.stringify(payload)).toString('base64url');
      const r = await verifyTag('gen-jws', { artifact: withEnvelope(art, Buffer.from(JSON.stringify(env))) });
      expect(r).toMatchObject({ valid: false, error: { code: 'SIGNATURE_INVALID' } });
    });
    it('SIGNATURE_INVALID: JWS signature bytes altered', async () => {
      const art = signatureOf('gen-jws');
      const env = JSON.parse(Buffer.from(art.blobs[0]!.bytes).toString('utf8')) as { signature: string };
      const sig = Buffer.from(env.signature, 'base64url');
      sig[10] = (sig[10] ?? 0) ^ 0xff;
      env.signature = sig.toString('base64url');
      const r = await verifyTag('gen-jws', { artifact: withEnvelope(art, Buffer.from(JSON.stringify(env))) });
      expect(r).toMatchObject({ valid: false, error: { code: 'SIGNATURE_INVALID' } });
    });
    it('SIGNATURE_INVALID: COSE signature bytes altered', async () => {
      const art = signatureOf('chain-cose');
      const bytes = Buffer.from(art.blobs[0]!.bytes);
      // The signature is the last item of COSE_Sign1: its final byte is the last byte of the message.
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
      const r = await verifyTag('chain-cose', { artifact: withEnvelope(art, bytes) });
      expect(r).toMatchObject({ valid: false, error: { code: 'SIGNATURE_INVALID' } });
    });
    it('UNTRUSTED_CHAIN: the trust store holds another root', async () => {
      const r = await verifyTag('chain-cose', { setup: { stores: { ca: { release: [genCert] } } } });
      expect(r).toMatchObject({ valid: false, error: { code: 'UNTRUSTED_CHAIN' }, message: 'certificate chain does not lead to trust store ca:release' });
    });
    it('UNTRUSTED_IDENTITY: the signer is not a trusted identity', async () => {
      const r = await verifyTag('chain-cose', { setup: { identities: ['x509.subject: C=US, ST=WA, O=Example, CN=someone-else'] } });
      expect(r).toMatchObject({ valid: false, error: { code: 'UNTRUSTED_IDENTITY' } });
    });
    it('NO_MATCHING_POLICY: the registry scope does not cover the image', async () => {
      const r = await verifyTag('gen-jws', { setup: { scopes: ['registry.example/other'] } });
      expect(r).toMatchObject({ valid: false, error: { code: 'NO_MATCHING_POLICY' } });
    });
    it('EXPIRED_SIGNATURE: verified after --expiry', async () => {
      const r = await verifyTag('gen-expiry', { now: new Date(Date.now() + 2 * HOUR) });
      expect(r).toMatchObject({ valid: false, error: { code: 'EXPIRED_SIGNATURE' } });
    });
    it('EXPIRED_CERTIFICATE: the signing certificate expired and there is no timestamp', async () => {
      const r = await verifyTag('chain-cose', { now: new Date(Date.now() + 60 * DAY) });
      expect(r).toMatchObject({ valid: false, error: { code: 'EXPIRED_CERTIFICATE' } });
    });
    it('but the timestamped signature of the same expired certificate still verifies', async () => {
      const r = await verifyTag('chain-jws-ts', { now: new Date(Date.now() + 60 * DAY), setup: { tsa: true } });
      expect(r.valid).toBe(true);
    });
    it('UNKNOWN_CRITICAL_HEADER: an envelope marks a header the verifier does not understand as critical', async () => {
      const art = signatureOf('gen-jws');
      const env = JSON.parse(Buffer.from(art.blobs[0]!.bytes).toString('utf8')) as { protected: string; payload: string; signature: string };
      const ph = JSON.parse(Buffer.from(env.protected, 'base64url').toString('utf8')) as { crit: string[]; [k: string]: unknown };
      ph.crit = [...ph.crit, 'io.example.mustUnderstand'];
      ph['io.example.mustUnderstand'] = 'yes';
      env.protected = Buffer.from(JSON.stringify(ph)).toString('base64url');
      // Re-signed with the test key, so only the critical header can be the reason.
      env.signature = cryptoSign('sha256', Buffer.from(`${env.protected}.${env.payload}`), {
        key: createPrivateKey(readFileSync(genKey)), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32,
      }).toString('base64url');
      const r = await verifyTag('gen-jws', { artifact: withEnvelope(art, Buffer.from(JSON.stringify(env))) });
      expect(r).toMatchObject({ valid: false, error: { code: 'UNKNOWN_CRITICAL_HEADER' } });
      // The same re-signed envelope without the extra critical header verifies.
      ph.crit = ph.crit.filter((c) => c !== 'io.example.mustUnderstand');
      env.protected = Buffer.from(JSON.stringify(ph)).toString('base64url');
      env.signature = cryptoSign('sha256', Buffer.from(`${env.protected}.${env.payload}`), {
        key: createPrivateKey(readFileSync(genKey)), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32,
      }).toString('base64url');
      expect((await verifyTag('gen-jws', { artifact: withEnvelope(art, Buffer.from(JSON.stringify(env))) })).valid).toBe(true);
    });
  });

  it('UNKNOWN_CRITICAL_HEADER: the same in a COSE envelope', async () => {
    const art = signatureOf('gen-cose');
    const msg = decodeCbor(art.blobs[0]!.bytes) as CborTag;
    const [prot, unprot, payload] = msg.value as [Uint8Array, Map<CborValue, CborValue>, Uint8Array, Uint8Array];
    const ph = decodeCbor(prot) as Map<CborValue, CborValue>;
    const build = (extraCritical: boolean): Uint8Array => {
      const headers = new Map(ph);
      if (extraCritical) {
        headers.set(2, [...(ph.get(2) as string[]), 'io.example.mustUnderstand']);
        headers.set('io.example.mustUnderstand', 'yes');
      }
      const protectedBytes = encodeCbor(toEncodable(headers));
      const signature = cryptoSign('sha256', encodeCbor(['Signature1', protectedBytes, new Uint8Array(0), payload]), {
        key: createPrivateKey(readFileSync(genKey)), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32,
      });
      return encodeCbor(new EncodableTag(18, [protectedBytes, toEncodable(unprot), payload, signature]));
    };
    expect(await verifyTag('gen-cose', { artifact: withEnvelope(art, build(true)) })).toMatchObject({ valid: false, error: { code: 'UNKNOWN_CRITICAL_HEADER' } });
    expect((await verifyTag('gen-cose', { artifact: withEnvelope(art, build(false)) })).valid).toBe(true);
  });

  describe('revocation, which Portcullis does not fetch', () => {
    const crlStores = () => ({ ca: { crl: [join(CRL, 'root.crt')] } });
    it('passes when no certificate publishes revocation information', async () => {
      const r = await verifyTag('gen-jws');
      expect(r.details.checks).toContainEqual(expect.objectContaining({ name: 'revocation', outcome: 'pass' }));
    });
    it('REVOCATION_UNKNOWN under strict when the chain names CRL distribution points', async () => {
      const r = await verifyTag('crl-jws', { setup: { stores: crlStores() } });
      expect(r).toMatchObject({ valid: false, error: { code: 'REVOCATION_UNKNOWN' } });
      expect(r.message).toContain('CN=LeafCert');
    });
    it('only logged under permissive, or with override revocation: log', async () => {
      for (const setup of [{ level: 'permissive' }, { override: { revocation: 'log' } }]) {
        const r = await verifyTag('crl-jws', { setup: { stores: crlStores(), ...setup } });
        expect(r.valid).toBe(true);
        expect(r.details.checks).toContainEqual(expect.objectContaining({ name: 'revocation', outcome: 'logged' }));
      }
    });
    it('skipped with override revocation: skip', async () => {
      const r = await verifyTag('crl-jws', { setup: { stores: crlStores(), override: { revocation: 'skip' } } });
      expect(r.valid).toBe(true);
      expect(r.details.checks).toContainEqual(expect.objectContaining({ name: 'revocation', outcome: 'skipped' }));
    });
  });

  describe('the policy level decides what a failure means', () => {
    it('permissive only logs an expired certificate', async () => {
      const r = await verifyTag('chain-cose', { now: new Date(Date.now() + 60 * DAY), setup: { level: 'permissive' } });
      expect(r.valid).toBe(true);
      expect(r.details.checks).toContainEqual(expect.objectContaining({ name: 'authenticTimestamp', outcome: 'logged' }));
    });
    it('audit only logs an untrusted chain, but never a broken signature', async () => {
      const audit = { level: 'audit', stores: { ca: { release: [genCert] } } };
      expect((await verifyTag('chain-cose', { setup: audit })).valid).toBe(true);
      const art = signatureOf('chain-cose');
      const bytes = Buffer.from(art.blobs[0]!.bytes);
      bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0x01;
      expect(await verifyTag('chain-cose', { setup: audit, artifact: withEnvelope(art, bytes) })).toMatchObject({ valid: false, error: { code: 'SIGNATURE_INVALID' } });
    });
  });
});
