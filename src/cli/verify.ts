/**
 * `portcullis verify IMAGE… [--config FILE] [--output text|json]` (SPEC "Commands"): the same
 * pipeline as the webhook (buildValidationPipeline) on images given on the command line; prints
 * per image the decision and every verifier result. Exit 0 all allowed, 1 some denied, 2 error.
 */
import { Command, Option } from 'commander';
import { pino } from 'pino';
import type { AdmissionContext } from '../admission/ports.js';
import { createRegistryAccess } from '../cache/create-registry-access.js';
import { defaultConfig, loadConfigFile } from '../config/index.js';
import { createLogger } from '../observability/logger.js';
import { deadlineSignal } from '../oci/deadline.js';
import { buildValidationPipeline } from '../validation/build-validation-pipeline.js';
import { secretTrustSource } from '../compose-ports.js';
import type { KubeReader } from '../kubernetes/kube-reader.js';
import { loadKubeConfig } from '../kubernetes/load-kube-config.js';
import type { DetailedVerdict } from '../validation/create-image-validator.js';
import { platformName } from '../validation/select-targets.js';
import type { VerifierResult } from '../verifiers/verifier.js';
import { collectInsecureHost } from './collect-insecure-host.js';
import { revocationPorts } from '../revocation/revocation-ports.js';

interface VerifyOptions {
  config?: string; output: 'text' | 'json'; namespace: string; timeout: string; insecure: string[]; dockerConfig?: string;
}

export interface VerifyIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly exit: (code: number) => void;
}

/** Output to the process' stdout/stderr and exit code (also `portcullis audit`'s). */
export const defaultIo: VerifyIo = {
  stdout: (l) => process.stdout.write(`${l}\n`),
  stderr: (l) => process.stderr.write(`${l}\n`),
  exit: (c) => { process.exitCode = c; },
};

function state(r: VerifierResult): string {
  return r.error ? `error (${r.error.code})` : r.valid ? 'valid' : 'invalid';
}

function table(rows: string[][], indent: string): string[] {
  const widths = rows[0]!.map((_, i) => Math.min(48, Math.max(...rows.map((r) => (r[i] ?? '').length))));
  return rows.map((r) => indent + r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd());
}

function short(digest: string): string {
  return digest.length > 19 ? `${digest.slice(0, 19)}…` : digest;
}

/** Human-readable report of one verdict. */
export function formatVerdict(v: DetailedVerdict): string[] {
  const lines = [`${v.image}: ${v.allowed ? 'ALLOWED' : 'DENIED'}${v.excluded ? ' (excluded by validation.excludeImages)' : ''}`];
  for (const r of v.reasons) lines.push(`  reason: ${r}`);
  for (const w of v.warnings) lines.push(`  warning: ${w}`);
  for (const t of v.targets) {
    const p = t.input.subject.platform ? ` [${platformName(t.input.subject.platform)}]` : '';
    lines.push(`  subject: ${t.input.subject.reference || '(unresolved)'}${p}`);
    const rows: string[][] = [['VERIFIER', 'TYPE', 'REFERRER', 'RESULT', 'MESSAGE']];
    for (const r of t.input.results) {
      rows.push([r.verifier, r.type, short(r.referrer.digest), state(r), r.error?.message ?? r.message]);
      for (const n of r.nested) rows.push([`  ↳ ${n.verifier}`, n.type, short(n.referrer.digest), state(n), n.error?.message ?? n.message]);
    }
    if (rows.length > 1) lines.push(...table(rows, '    '));
    else lines.push('    no referrers matched a configured verifier');
    for (const e of t.input.errors) lines.push(`    error in ${e.stage}: ${e.message}`);
    if (t.policyError) lines.push(`    ${t.policyError}`);
  }
  return lines;
}

export function verifyCommand(io: VerifyIo = defaultIo): Command {
  return new Command('verify')
    .description('run the full validation pipeline (resolve, referrers, verifiers, policy) on images')
    .argument('<images...>', 'image references')
    .option('--config <file>', 'Portcullis config file (verifiers, policy, validation, registries)')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--namespace <ns>', 'namespace given to the policy as request.namespace', 'default')
    .option('--timeout <ms>', 'deadline for all images, in milliseconds', '30000')
    .option('--insecure <host>', 'reach HOST over plain HTTP (repeatable)', collectInsecureHost, [] as string[])
    .option('--docker-config <file>', 'docker config.json with registry credentials')
    .action(async (images: string[], opts: VerifyOptions) => {
      let code: number;
      try {
        const config = opts.config ? await loadConfigFile(opts.config) : defaultConfig();
        const logger = createLogger({ level: process.env.PORTCULLIS_LOG_LEVEL ?? 'warn', destination: pino.destination(2) });
        // Always a fresh in-process cache: `verify` shows what the registry holds now, and never
        // reads or writes results a webhook shares through Redis.
        const access = await createRegistryAccess({
          registries: {
            insecure: [...config.registries.insecure, ...opts.insecure],
            credentials: config.registries.credentials,
            dockerConfig: opts.dockerConfig ?? config.registries.dockerConfig,
          },
          cache: { type: 'memory' },
          logger,
        });
        const { client, cache } = access;
        try {
          // `secret:` trust material is read through the kubeconfig, as the webhook reads it in-cluster.
          const trustSource = secretTrustSource(await optionalKubeReader(logger), logger);
          // A CLI names images by tag and wants to know about what the tag names now: tags are
          // resolved here whatever validation.requireDigest says (that key is for admission).
          const cliConfig = { ...config, validation: { ...config.validation, requireDigest: false } };
          const pipeline = await buildValidationPipeline(cliConfig, { client, cache, logger, watchPolicy: false, trustSource, revocation: revocationPorts() });
          try {
            const timeout = Number(opts.timeout) > 0 ? Number(opts.timeout) : 30_000;
            const ctx: AdmissionContext = {
              signal: deadlineSignal(timeout),
              deadline: Date.now() + timeout,
              request: {
                uid: 'portcullis-verify', operation: 'CREATE', namespace: opts.namespace, kind: { group: '', version: 'v1', kind: 'Pod' },
                name: 'portcullis-verify', userInfo: { username: 'portcullis-verify', groups: [] }, dryRun: true,
              },
              pod: { imagePullSecrets: [] },
            };
            const verdicts = await pipeline.validator.validateDetailed(images, ctx);
            if (opts.output === 'json') io.stdout(JSON.stringify(verdicts, null, 2));
            else for (const v of verdicts) io.stdout(formatVerdict(v).join('\n'));
            code = verdicts.every((v) => v.allowed) ? 0 : 1;
          } finally {
            await pipeline.close();
          }
        } finally {
          await access.close();
        }
      } catch (err) {
        const c = (err as { code?: string }).code;
        io.stderr(`error: ${c ? `${c}: ` : ''}${(err as Error).message}`);
        code = 2;
      }
      io.exit(code);
    });
}

/** A reader for `secret:` trust material when a kubeconfig is found; none (and no error) otherwise. */
async function optionalKubeReader(logger: pino.Logger): Promise<KubeReader | undefined> {
  try {
    const kubeConfig = await loadKubeConfig();
    if (!kubeConfig) return undefined;
    const { createKubeReader } = await import('../kubernetes/create-kube-reader.js');
    return createKubeReader({ kubeConfig, logger });
  } catch {
    return undefined;
  }
}
