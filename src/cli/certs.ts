import { resolve } from 'node:path';
import { Command } from 'commander';

/** `portcullis certs generate --out DIR [--dns NAME]…` (SPEC "Commands"). */
export function certsCommand(): Command {
  const certs = new Command('certs').description('TLS material for development and tests');
  certs.command('generate')
    .description('write a CA, a serving certificate (SANs: --dns names, localhost, 127.0.0.1, ::1) and a client certificate for mTLS')
    .requiredOption('-o, --out <dir>', 'directory to write ca.crt, ca.key, tls.crt, tls.key, client.crt, client.key')
    .option('--dns <name>', 'DNS name for the serving certificate (repeatable), e.g. portcullis.portcullis.svc', collect, [] as string[])
    .option('--days <n>', 'validity of the leaf certificates in days', (v) => {
      const n = Number(v);
      if (!Number.isInteger(n) || n < 1 || n > 3650) throw new Error('--days must be an integer from 1 to 3650');
      return n;
    }, 365)
    .action(async (options: { out: string; dns: string[]; days: number }) => {
      // Imported here: node-forge is not loaded by `portcullis serve` (bench/memory-startup.ts).
      const { generateCertSet, writeCertSet } = await import('../certs/generate-cert-set.js');
      const set = generateCertSet({ dns: options.dns, validityDays: options.days });
      const files = await writeCertSet(resolve(options.out), set);
      for (const f of files) console.log(f);
    });
  return certs;
}

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
