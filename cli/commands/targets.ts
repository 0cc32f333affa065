/**
 * Multi-target verbs (`stop a b c`): act on every target, report every
 * failure, exit non-zero if any failed (podman's rule).
 */
import type { Context } from '../context.js';
import type { ContainerRecord } from '../../lib/storage/index.js';
import { err } from '../output.js';
import { setExitCode } from '../exit.js';

export async function eachContainer(
  ctx: Context,
  names: string[],
  options: { all?: boolean; ignore?: boolean; running?: boolean },
  act: (c: ContainerRecord, name: string) => Promise<void>,
): Promise<void> {
  const [{ allContainers, findContainer }, { isToteError, UsageError }] = await Promise.all([
    import('../../lib/container/query.js'), // not the index: start-up time
    import('../../lib/errors/index.js'),
  ]);
  let targets: Array<{ name: string; find: () => Promise<ContainerRecord> }>;
  if (options.all) {
    const list = (await allContainers(ctx.config)).filter((c) => !options.running || c.status === 'running' || c.status === 'paused');
    targets = list.map((c) => ({ name: c.id, find: async () => c }));
  } else {
    if (names.length === 0) throw new UsageError('at least one container name or id is required', 'or use --all');
    targets = names.map((n) => ({ name: n, find: () => findContainer(ctx.config, n) }));
  }
  let failed = false;
  for (const t of targets) {
    try {
      await act(await t.find(), t.name);
    } catch (e) {
      if (options.ignore && isToteError(e) && e.code === 'E_NO_SUCH_CONTAINER') continue;
      failed = true;
      err(`Error: ${(e as Error).message}`);
    }
  }
  // docker exits 1 when any target failed (an unknown container included).
  if (failed) setExitCode(1);
}
