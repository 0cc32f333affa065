/** `tote diff`: what a container changed, from its overlay upper dir. */
import type { ToteConfig } from '../../config/index.js';
import { ToteError } from '../../errors/index.js';
import { parseEntryResult, runInUserns, type ContainerRecord } from '../../storage/index.js';
import type { UsernsPlan } from '../../userns/index.js';
import { containerPaths, fsOpScript } from './access.js';
import type { Change } from './changes.js';

export async function containerChanges(config: ToteConfig, plan: UsernsPlan, record: ContainerRecord): Promise<Change[]> {
  if (record.driver === 'vfs') {
    throw new ToteError('E_DIFF_VFS', `diff is not supported for container ${record.name}: its storage driver (vfs) keeps no separate change layer`);
  }
  const paths = await containerPaths(config, record);
  const req = { op: 'diff', upper: paths.upper, lowers: paths.lowers };
  const r = await runInUserns(config, plan, [config.nodePath, fsOpScript(config), JSON.stringify(req)]);
  return parseEntryResult<{ changes: Change[] }>('computing the changes', r).changes;
}
