/**
 * Runs one release tool (syft, oras, notation, cosign) with an explicit environment and a
 * deadline. Its output is returned, never printed; a failure's message carries the tool's
 * stderr with every secret the caller names replaced, so no key or password reaches a log.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ReleaseError } from './release-error.js';

const exec = promisify(execFile);

export interface ToolRun {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd?: string;
  /** Strings that must never appear in an error message (passwords, key material). */
  readonly secrets?: readonly string[];
  readonly timeoutMs?: number;
}

/** Replaces every secret in `text` by `***`. */
export function redact(text: string, secrets: readonly string[] = []): string {
  let out = text;
  for (const s of secrets) if (s.length > 0) out = out.split(s).join('***');
  return out;
}

export async function runTool(binary: string, args: readonly string[], run: ToolRun): Promise<string> {
  try {
    // A registry that stops answering must not hold the release forever; syft on a 250 MB image takes ~25 s here.
    const { stdout } = await exec(binary, [...args], { env: run.env, cwd: run.cwd, timeout: run.timeoutMs ?? 300_000, maxBuffer: 64 * 1024 * 1024 });
    return stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const detail = redact((e.stderr ?? '').trim().slice(-4_000) || e.message, run.secrets);
    throw new ReleaseError('COMMAND_FAILED', `${binary.split('/').pop()} ${args[0] ?? ''} failed: ${detail}`);
  }
}
