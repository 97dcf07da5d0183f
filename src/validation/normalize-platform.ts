/**
 * Platform normalisation as the container runtime applies it before matching an image index
 * entry against a node (containerd's `platforms` package, which the kubelet's CRI runtimes
 * use): case folded, architecture aliases folded, and each architecture's default variant
 * written one way. Two spellings that normalise alike are one platform to the node, so they
 * must be one platform to `validation.platforms` too (docs/platforms.md).
 * https://github.com/containerd/platforms (database.go normalizeArch, platforms.go Normalize)
 */
import type { Platform } from '../oci/types.js';

/** A platform in its canonical form: `variant` is '' where the architecture's default applies. */
export interface NormalizedPlatform {
  readonly os: string;
  readonly architecture: string;
  readonly variant: string;
}

export function normalizePlatform(p: Platform): NormalizedPlatform {
  let os = p.os.toLowerCase();
  if (os === 'macos') os = 'darwin';
  const [architecture, variant] = normalizeArchitecture(p.architecture.toLowerCase(), (p.variant ?? '').toLowerCase());
  return { os, architecture, variant };
}

function normalizeArchitecture(arch: string, variant: string): [string, string] {
  switch (arch) {
    case 'i386':
      return ['386', ''];
    case 'x86_64':
    case 'x86-64':
    case 'amd64':
      // v1 is the baseline amd64: the same as no variant.
      return ['amd64', variant === 'v1' ? '' : variant];
    case 'aarch64':
    case 'arm64':
      // v8 is the baseline arm64: the same as no variant.
      if (variant === '8' || variant === 'v8' || variant === 'v8.0') return ['arm64', ''];
      if (variant === '9' || variant === '9.0' || variant === 'v9.0') return ['arm64', 'v9'];
      return ['arm64', variant];
    case 'armhf':
      return ['arm', 'v7'];
    case 'armel':
      return ['arm', 'v6'];
    case 'arm':
      // 32-bit arm without a variant is v7 (armhf); bare numbers get their `v`.
      if (variant === '' || variant === '7') return ['arm', 'v7'];
      if (variant === '5' || variant === '6' || variant === '8') return ['arm', `v${variant}`];
      return ['arm', variant];
    default:
      return [arch, variant];
  }
}

/** Parses a config platform `os/arch[/variant]` (validated by the config schema). */
export function parsePlatform(spec: string): Platform {
  const [os = '', architecture = '', variant] = spec.split('/');
  return { os, architecture, ...(variant !== undefined ? { variant } : {}) };
}

/** Whether the runtime treats two platforms as one (after normalisation, field by field). */
export function samePlatform(a: Platform, b: Platform): boolean {
  const x = normalizePlatform(a);
  const y = normalizePlatform(b);
  return x.os === y.os && x.architecture === y.architecture && x.variant === y.variant;
}
