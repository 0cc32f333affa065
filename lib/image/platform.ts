/** Platform strings (`linux/arm64/v8`) and choosing a manifest from a list/index. */
import { ToteError, UsageError } from '../errors/index.js';
import { ociArchitecture } from './types.js';

export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

export interface IndexEntry {
  mediaType?: string;
  digest: string;
  size: number;
  platform?: { os?: string; architecture?: string; variant?: string; 'os.version'?: string };
  annotations?: Record<string, string>;
}

/** The variant an architecture implies when none is given. */
function defaultVariant(arch: string): string | undefined {
  return arch === 'arm64' ? 'v8' : arch === 'arm' ? 'v7' : undefined;
}

function normalizeArch(arch: string, variant?: string): { architecture: string; variant?: string } {
  const a = arch.toLowerCase();
  if (a === 'x86_64' || a === 'x86-64') return { architecture: 'amd64', variant };
  if (a === 'aarch64') return { architecture: 'arm64', variant: variant ?? 'v8' };
  if (a === 'armhf') return { architecture: 'arm', variant: variant ?? 'v7' };
  if (a === 'armel') return { architecture: 'arm', variant: variant ?? 'v6' };
  if (a === 'i386' || a === 'i686') return { architecture: '386', variant };
  return { architecture: a, variant };
}

/** `os/arch[/variant]` (or just `arch`); undefined → this machine (linux/<arch>). */
export function parsePlatform(text?: string): Platform {
  if (!text) {
    const architecture = ociArchitecture();
    return { os: 'linux', architecture, variant: defaultVariant(architecture) };
  }
  const parts = text.split('/');
  if (parts.length > 3 || parts.some((p) => !p)) throw new UsageError(`invalid platform "${text}"`, 'use OS/ARCH[/VARIANT], e.g. linux/arm64/v8');
  const [os, arch, variant] = parts.length === 1 ? ['linux', parts[0]!, undefined] : [parts[0]!, parts[1]!, parts[2]];
  const n = normalizeArch(arch, variant);
  return { os: os.toLowerCase(), architecture: n.architecture, variant: n.variant ?? undefined };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Attestations (buildkit's `unknown/unknown` entries) and entries without a platform are never chosen. */
function isImageEntry(e: IndexEntry): boolean {
  if (!e.platform?.os || !e.platform.architecture) return false;
  if (e.platform.os === 'unknown' || e.platform.architecture === 'unknown') return false;
  if (e.annotations?.['vnd.docker.reference.type'] === 'attestation-manifest') return false;
  return true;
}

/**
 * The entry for `want`: os and architecture must match; a requested variant
 * must match (arm64's `v8` equals no variant); without one, the default
 * variant is preferred, else the first entry.
 */
export function selectPlatform(entries: IndexEntry[], want: Platform): IndexEntry {
  const candidates = entries.filter((e) => isImageEntry(e) && e.platform!.os === want.os && e.platform!.architecture === want.architecture);
  const variantOf = (e: IndexEntry) => e.platform!.variant || defaultVariant(want.architecture);
  const wanted = want.variant || defaultVariant(want.architecture);
  const exact = candidates.find((e) => variantOf(e) === wanted);
  if (exact) return exact;
  if (!want.variant && candidates.length > 0) return candidates[0]!;
  const available = entries.filter(isImageEntry).map((e) => formatPlatform({ os: e.platform!.os!, architecture: e.platform!.architecture!, variant: e.platform!.variant }));
  throw new ToteError('E_NO_MATCHING_PLATFORM', `no matching manifest for ${formatPlatform(want)} in the manifest list entries`, {
    hint: available.length ? `available: ${[...new Set(available)].join(', ')} (choose one with --platform)` : undefined,
  });
}

/**
 * Does an image built for `have` (its config's os/architecture/variant)
 * satisfy `want`? A variant is compared only when one was asked for, with
 * the architecture's default standing in for a missing one (arm64 = v8).
 * An image that records no os or architecture (some in the wild don't)
 * is taken to match rather than be re-pulled forever.
 */
export function platformMatches(want: Platform, have: { os?: string; architecture?: string; variant?: string }): boolean {
  if (!have.os || !have.architecture) return true;
  const h = normalizeArch(have.architecture, have.variant);
  if (have.os.toLowerCase() !== want.os || h.architecture !== want.architecture) return false;
  if (!want.variant) return true;
  return (h.variant || defaultVariant(h.architecture)) === want.variant;
}
