/**
 * `tote commit`: a container's changes become a new image on top of its
 * image. The overlay upper dir is turned back into an OCI layer tar inside
 * the user namespace (cli/internal/fs-op.js layer-tar: whiteout devices →
 * `.wh.NAME`, opaque dirs → `.wh..wh..opq`); that one stream is hashed (the
 * diff id), stored as the layer blob and extracted into the layer store at
 * once, and only when all of it worked are the layer, blobs and index
 * entry made visible — as import does.
 *
 * The new config is the image's config with the container's own settings
 * (Cmd, Entrypoint, Env, WorkingDir, User, Labels), then the --change
 * instructions; a history entry records the container's command.
 */
import type { ToteConfig } from '../config/index.js';
import { NoSuchImageError, ToteError } from '../errors/index.js';
import type { Reporter } from '../errors/report.js';
import { silentReporter } from '../errors/report.js';
import { loadImages, type ContainerRecord } from '../storage/index.js';
import type { UsernsPlan } from '../userns/index.js';
import { applyChange } from './changes.js';
import { parseReference } from './reference.js';
import { readImageConfig } from './store.js';
import { containerLayer, storeImage } from './store-image.js';
import type { ImageRuntimeConfig } from './types.js';

export interface CommitOptions {
  /** REPOSITORY[:TAG] for the new image (untagged when absent). */
  reference?: string;
  /** Dockerfile instructions applied to the new config (-c). */
  changes?: string[];
  /** Commit message (-m): the history entry's comment. */
  message?: string;
  /** Author (-a). */
  author?: string;
  /** docker's --pause (default true); the caller holds the processes still (lib/container stopProcesses). */
  pause?: boolean;
  reporter?: Reporter;
}

/** The container's settings on top of the image's config, then the --change instructions. */
export function commitRuntimeConfig(parent: ImageRuntimeConfig | undefined, record: ContainerRecord, changes: string[] = []): ImageRuntimeConfig {
  const rc: ImageRuntimeConfig = { ...(parent ?? {}) };
  rc.Env = [...record.spec.env];
  rc.Cmd = record.spec.cmd.length ? [...record.spec.cmd] : (parent?.Cmd ?? null);
  if (record.spec.entrypoint.length) rc.Entrypoint = [...record.spec.entrypoint];
  else delete rc.Entrypoint;
  if (record.spec.workingDir) rc.WorkingDir = record.spec.workingDir;
  if (record.spec.user) rc.User = record.spec.user;
  else delete rc.User;
  const labels = { ...(parent?.Labels ?? {}), ...record.labels };
  if (Object.keys(labels).length) rc.Labels = labels;
  let out = rc;
  for (const c of changes) out = applyChange(out, c);
  return out;
}

export async function commitContainer(config: ToteConfig, plan: UsernsPlan, record: ContainerRecord, options: CommitOptions = {}): Promise<string> {
  const reporter = options.reporter ?? silentReporter;
  if (options.reference && parseReference(options.reference).digest) {
    throw new ToteError('E_TAG_DIGEST', `cannot commit to a digest reference: ${options.reference}`, { hint: 'use REPOSITORY[:TAG]' });
  }
  if (record.driver === 'vfs') {
    throw new ToteError('E_COMMIT_VFS', `cannot commit container ${record.name}: its storage driver (vfs) keeps no separate change layer`);
  }
  const image = (await loadImages(config)).find((i) => i.id === record.imageId);
  if (!image) throw new NoSuchImageError(record.image);
  const parentConfig = await readImageConfig(config, image);
  // Validates the --change instructions before any work is done.
  const runtimeConfig = commitRuntimeConfig(parentConfig.config, record, options.changes);
  const stored = await storeImage(config, plan, {
    parent: image,
    runtimeConfig,
    history: {
      created_by: [...record.spec.entrypoint, ...record.spec.cmd].join(' '),
      ...(options.author ? { author: options.author } : {}),
      ...(options.message ? { comment: options.message } : {}),
    },
    layer: await containerLayer(config, plan, record),
    references: options.reference ? [options.reference] : [],
    author: options.author,
    reporter,
  });
  return 'sha256:' + stored.id;
}
