/**
 * Loading and checking the YAML configuration (SPEC "Configuration"). Errors name the field
 * (`ConfigError.path`, e.g. `server.port` or `verifiers[1].name`).
 */
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigError } from '../shared/coded-error.js';
import { configSchema, type Config as ParsedConfig } from './schema.js';

/** A checked configuration: defaults applied, paths absolute, deeply frozen. */
export type Config = DeepReadonly<ParsedConfig & {
  /** Directory relative paths were resolved against (verifier factories resolve theirs here). */
  readonly configDir: string;
  /** The file it came from; null for embedded defaults. */
  readonly configFile: string | null;
}>;

type DeepReadonly<T> = T extends (infer U)[] ? readonly DeepReadonly<U>[]
  : T extends object ? { readonly [K in keyof T]: DeepReadonly<T[K]> } : T;

/** Checks a parsed YAML/JSON value; relative paths resolve against `baseDir`. */
export function parseConfig(raw: unknown, options: { baseDir: string; file?: string | null }): Config {
  const result = configSchema.safeParse(raw ?? {});
  if (!result.success) throw toConfigError(result.error);
  const c = result.data;
  const abs = (p: string): string => (isAbsolute(p) ? p : resolve(options.baseDir, p));
  const absOrNull = (p: string | null): string | null => (p === null ? null : abs(p));
  const config = {
    ...c,
    tls: { ...c.tls, certFile: abs(c.tls.certFile), keyFile: abs(c.tls.keyFile), clientCAFile: absOrNull(c.tls.clientCAFile) },
    registries: { ...c.registries, dockerConfig: absOrNull(c.registries.dockerConfig) },
    policy: { ...c.policy, bundle: absOrNull(c.policy.bundle) },
    configDir: options.baseDir,
    configFile: options.file ?? null,
  };
  return deepFreeze(config);
}

/** The embedded defaults; relative paths resolve against `cwd`. */
export function defaultConfig(cwd: string = process.cwd()): Config {
  return parseConfig({}, { baseDir: cwd, file: null });
}

/** Reads and checks a YAML file; relative paths resolve against the file's directory. */
export async function loadConfigFile(file: string): Promise<Config> {
  const path = resolve(file);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new ConfigError('FILE_NOT_FOUND', '', `cannot read config file ${path}: ${(cause as Error).message}`, { cause });
  }
  return parseConfigText(text, path);
}

/** Parses YAML text as the file `path` would be. */
export function parseConfigText(text: string, path: string): Config {
  let raw: unknown;
  try {
    // maxAliasCount bounds alias expansion ("billion laughs").
    raw = parseYaml(text, { maxAliasCount: 100, prettyErrors: false, logLevel: 'error' });
  } catch (cause) {
    // Never the parser's message nor the error itself as `cause`: both quote the offending
    // text, and a syntax error on a `password:` line would put the password into the log.
    // The position and the parser's code are enough to find it.
    throw new ConfigError('INVALID_CONFIG', '', `${path} is not valid YAML: ${describeYamlError(cause, text)}`);
  }
  if (raw !== null && raw !== undefined && (typeof raw !== 'object' || Array.isArray(raw))) {
    throw new ConfigError('INVALID_CONFIG', '', `${path}: the top level must be a mapping`);
  }
  return parseConfig(raw, { baseDir: dirname(path), file: path });
}

function describeYamlError(err: unknown, text: string): string {
  const { code, pos } = (err ?? {}) as { code?: unknown; pos?: readonly number[] };
  const what = typeof code === 'string' && /^[A-Z_]{1,40}$/.test(code) ? code : 'SYNTAX_ERROR';
  const offset = pos?.[0];
  if (typeof offset !== 'number' || offset < 0) return what;
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return `${what} at line ${line}, column ${col}`;
}

/** `['verifiers', 1, 'name']` → `verifiers[1].name`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else out += out ? `.${String(p)}` : String(p);
  }
  return out;
}

function toConfigError(error: z.ZodError): ConfigError {
  const issues = error.issues.flatMap((issue): Array<{ path: string; message: string }> => {
    // Unrecognized keys are reported on the parent; name each key as the field.
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((k) => ({ path: formatPath([...issue.path, k]), message: 'unknown key' }));
    }
    return [{ path: formatPath(issue.path), message: issue.message }];
  });
  const first = issues[0];
  const path = first?.path ?? '';
  const code = /^verifiers\[\d+\]\.type$/.test(path) ? 'UNKNOWN_VERIFIER_TYPE' : 'INVALID_CONFIG';
  const message = issues.map((i) => (i === first ? i.message : `${i.path || '(root)'}: ${i.message}`)).join('; ');
  return new ConfigError(code, path, message, { cause: error });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
