/**
 * `portcullis policy build [DIR] [--out FILE]` and `portcullis policy eval --input FILE [--bundle FILE]`
 * (SPEC "Commands"). build: 0 built, 2 error. eval: prints the decision JSON; 0 allowed,
 * 1 denied, 2 error (a policy error is an error, not a denial).
 */
import { readFile } from 'node:fs/promises';
import { Command } from 'commander';
import { buildPolicyBundle } from '../policy/build-policy-bundle.js';
import { createWasmPolicyEngine } from '../policy/create-wasm-policy-engine.js';
import { defaultPolicyBundle } from '../policy/default-policy-bundle.js';
import type { PolicyInput } from '../policy/types.js';

export interface PolicyIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  readonly exit: (code: number) => void;
}

const defaultIo: PolicyIo = {
  stdout: (l) => process.stdout.write(`${l}\n`),
  stderr: (l) => process.stderr.write(`${l}\n`),
  exit: (c) => { process.exitCode = c; },
};

async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try { text = await readFile(file, 'utf8'); } catch (e) { throw new Error(`cannot read ${what} ${file}: ${(e as Error).message}`, { cause: e }); }
  try { return JSON.parse(text); } catch (e) { throw new Error(`${what} ${file} is not JSON: ${(e as Error).message}`, { cause: e }); }
}

export function policyCommand(io: PolicyIo = defaultIo): Command {
  const policy = new Command('policy').description('build and evaluate Rego policies compiled to Wasm');

  policy.command('build')
    .description('compile DIR/*.rego with `opa build -t wasm -e portcullis/decision` into a bundle')
    .argument('[dir]', 'policy directory', 'policies')
    .option('--out <file>', 'bundle to write', 'bundle.tar.gz')
    .option('--entrypoint <path>', 'decision entrypoint', 'portcullis/decision')
    .option('--opa <path>', 'opa binary (default: $PORTCULLIS_OPA, .tools/bin/opa, then PATH)')
    .action(async (dir: string, opts: { out: string; entrypoint: string; opa?: string }) => {
      try {
        const out = await buildPolicyBundle(dir, opts.out, { entrypoint: opts.entrypoint, opaPath: opts.opa });
        io.stdout(out);
        io.exit(0);
      } catch (e) {
        io.stderr(`error: ${(e as Error).message}`);
        io.exit(2);
      }
    });

  policy.command('eval')
    .description('evaluate a compiled bundle on one policy input and print the decision')
    .requiredOption('--input <file>', 'policy input JSON (SPEC "Policy")')
    .option('--bundle <file>', 'bundle tar.gz (default: the bundled default policy)')
    .option('--data <file>', 'JSON object merged over the bundle data (as config policy.data)')
    .option('--entrypoint <path>', 'entrypoint, for bundles built for another one')
    .action(async (opts: { input: string; bundle?: string; data?: string; entrypoint?: string }) => {
      try {
        const input = await readJson(opts.input, 'input');
        if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new Error(`input ${opts.input} is not a JSON object`);
        const data = opts.data ? await readJson(opts.data, 'data') : {};
        if (typeof data !== 'object' || data === null || Array.isArray(data)) throw new Error(`data ${opts.data} is not a JSON object`);
        const engine = createWasmPolicyEngine({ data: data as Record<string, unknown>, entrypoint: opts.entrypoint });
        await engine.load(opts.bundle ? await readFile(opts.bundle) : await defaultPolicyBundle(), opts.bundle ?? 'default policy');
        const decision = await engine.evaluate(input as PolicyInput);
        io.stdout(JSON.stringify(decision, null, 2));
        io.exit(decision.allowed ? 0 : 1);
      } catch (e) {
        const code = (e as { code?: string }).code;
        io.stderr(`error: ${code ? `${code}: ` : ''}${(e as Error).message}`);
        io.exit(2);
      }
    });
  return policy;
}
