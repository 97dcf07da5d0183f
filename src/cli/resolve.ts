/**
 * `portcullis resolve IMAGE…` (SPEC "Commands"): prints each image pinned to its digest, one
 * per line, exactly as mutation would write it. Exit 0 when all resolved, 2 on any error.
 */
import { Command, Option } from 'commander';
import { loadConfigFile, defaultConfig } from '../config/index.js';
import { createCredentialProvider } from '../oci/create-credential-provider.js';
import { createRegistryClient } from '../oci/registry-client.js';
import { deadlineSignal } from '../oci/deadline.js';
import { pinOne } from '../mutation/create-image-pinner.js';
import { collectInsecureHost } from './collect-insecure-host.js';

interface ResolveOptions { config?: string; insecure: string[]; dockerConfig?: string; timeout: string; output: 'text' | 'json' }

export interface ResolveIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly exit: (code: number) => void;
}

const defaultIo: ResolveIo = {
  stdout: (l) => process.stdout.write(`${l}\n`),
  stderr: (l) => process.stderr.write(`${l}\n`),
  exit: (c) => { process.exitCode = c; },
};

export function resolveCommand(io: ResolveIo = defaultIo): Command {
  return new Command('resolve')
    .description('print each image pinned to its digest')
    .argument('<images...>', 'image references')
    .option('--config <file>', 'Portcullis config file (registries.* are used)')
    .option('--insecure <host>', 'reach HOST over plain HTTP (repeatable)', collectInsecureHost, [] as string[])
    .option('--docker-config <file>', 'docker config.json with registry credentials')
    .option('--timeout <ms>', 'deadline for all images, in milliseconds', '30000')
    .addOption(new Option('--output <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (images: string[], opts: ResolveOptions) => {
      let code = 0;
      try {
        const config = opts.config ? await loadConfigFile(opts.config) : defaultConfig();
        const client = createRegistryClient({
          insecure: [...config.registries.insecure, ...opts.insecure],
          credentials: createCredentialProvider({
            credentials: config.registries.credentials,
            dockerConfig: opts.dockerConfig ?? config.registries.dockerConfig,
          }),
        });
        const timeout = Number(opts.timeout);
        const signal = deadlineSignal(Number.isFinite(timeout) && timeout > 0 ? timeout : 30_000);
        try {
          const results = await Promise.all(images.map(async (image) => ({ image, outcome: await pinOne(client, image, signal) })));
          if (opts.output === 'json') io.stdout(JSON.stringify(results.map(({ image, outcome }) => ({ image, ...outcome })), null, 2));
          for (const { image, outcome } of results) {
            if (outcome.kind === 'error') { code = 2; io.stderr(`error: ${outcome.code}: ${outcome.message}`); continue; }
            if (opts.output === 'text') io.stdout(outcome.kind === 'pinned' ? outcome.reference : image);
          }
        } finally {
          await client.close();
        }
      } catch (err) {
        code = 2;
        io.stderr(`error: ${(err as Error).message}`);
      }
      io.exit(code);
    });
}
