/**
 * The common case of layer fixups: only owners to set (no whiteout devices,
 * no security attributes). A shell script of `chown -h`/`chmod` run in the
 * user namespace does it for a few milliseconds, where a second Node
 * process (applyFixups) costs ~70: busybox-like images always have a couple
 * of files owned by other users, so every rootless import paid it.
 */
import { ToteError, SystemError } from '../../errors/index.js';
import type { ToteConfig } from '../../config/index.js';
import { toHostId, type UsernsPlan } from '../../userns/index.js';
import { ID_HINT } from './apply.js';
import type { Fixups } from './fixups.js';

const quote = (s: string): string => `'${s.replace(/'/g, `'\\''`)}'`;

/** Paths per command line: far below ARG_MAX even for long paths. */
const BATCH = 200;

function under(root: string, rel: string): string {
  if (rel.split('/').some((p) => p === '..')) throw new ToteError('E_LAYER_FIXUPS', `bad path in layer fixups: ${rel}`);
  return rel === '' ? root : `${root}/${rel}`;
}

/**
 * The script: every chown first (grouped by owner; -h: a symlink itself,
 * never its target), then the modes again, since chown clears setuid and
 * setgid. Paths are layer-relative as the applier recorded them.
 */
export function ownerFixupScript(root: string, owners: Fixups['owners']): string {
  const byOwner = new Map<string, string[]>();
  const byMode = new Map<number, string[]>();
  for (const [rel, uid, gid, mode] of owners) {
    const p = under(root, rel);
    byOwner.set(`${uid}:${gid}`, [...(byOwner.get(`${uid}:${gid}`) ?? []), p]);
    if (mode !== null) byMode.set(mode, [...(byMode.get(mode) ?? []), p]);
  }
  const lines: string[] = [];
  const emit = (cmd: string, paths: string[]) => {
    for (let i = 0; i < paths.length; i += BATCH) lines.push(`${cmd} -- ${paths.slice(i, i + BATCH).map(quote).join(' ')}`);
  };
  for (const [owner, paths] of byOwner) emit(`chown -h ${owner}`, paths);
  for (const [mode, paths] of byMode) emit(`chmod ${mode.toString(8).padStart(4, '0')}`, paths);
  return lines.join('\n') + '\n';
}

/** An owner outside the user namespace's mapping: the same error applyFixups gives, before any process starts. */
export function checkOwnersMapped(plan: UsernsPlan, owners: Fixups['owners']): void {
  for (const [rel, uid, gid] of owners) {
    if (toHostId(plan.uidMap, uid) === undefined || toHostId(plan.gidMap, gid) === undefined) {
      throw new ToteError('E_ID_NOT_MAPPED', `layer entry "${rel}" is owned by uid ${uid} / gid ${gid}, which is not mapped in the user namespace`, { hint: ID_HINT });
    }
  }
}

export async function applyOwnerFixups(
  config: ToteConfig,
  plan: UsernsPlan,
  root: string,
  owners: Fixups['owners'],
  run: (argv: string[], stdin: string) => Promise<{ code: number; stderr: string }>,
): Promise<void> {
  checkOwnersMapped(plan, owners);
  const r = await run(['sh', '-e', '-s'], ownerFixupScript(root, owners));
  if (r.code !== 0) throw new SystemError('E_LAYER_APPLY', `setting layer file owners failed (exit ${r.code}): ${r.stderr.trim() || 'no output'}`);
}
