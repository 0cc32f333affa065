/** `tote rename`: a new name for a container, checked and saved under the store lock. */
import type { ToteConfig } from '../config/index.js';
import { NoSuchContainerError, ToteError, UsageError } from '../errors/index.js';
import { withLock } from '../state/index.js';
import { listContainers, loadContainer, saveContainer, storePaths, type ContainerRecord } from '../storage/index.js';
import { findContainer } from './query.js';

/** docker's validContainerNamePattern (a leading "/" is dropped first). */
export const CONTAINER_NAME_RE = /^[a-zA-Z0-9][a-zA-Z0-9_.-]+$/;

export async function renameContainer(config: ToteConfig, target: string, newName: string): Promise<ContainerRecord> {
  const name = newName.replace(/^\//, '');
  if (target.trim() === '' || name.trim() === '') throw new UsageError('neither old nor new names may be empty');
  if (!CONTAINER_NAME_RE.test(name)) throw new UsageError(`invalid container name "${name}": only [a-zA-Z0-9][a-zA-Z0-9_.-] are allowed`);
  const found = await findContainer(config, target.replace(/^\//, ''));
  return withLock(storePaths(config).lock, async () => {
    // Re-read under the lock: the record may have changed (or gone) since.
    const current = await loadContainer(config, found.id);
    if (!current) throw new NoSuchContainerError(target);
    if (current.name === name) throw new ToteError('E_SAME_NAME', 'renaming a container with the same name as its current name');
    const holder = (await listContainers(config)).find((c) => c.name === name && c.id !== current.id);
    if (holder) {
      throw new ToteError('E_NAME_IN_USE', `the container name "${name}" is already in use by ${holder.id.slice(0, 12)}`, {
        hint: 'remove (or rename) that container to be able to reuse that name',
      });
    }
    const updated = { ...current, name };
    await saveContainer(config, updated);
    return updated;
  });
}
