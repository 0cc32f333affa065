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
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import type { ToteConfig } from '../config/index.js';
import { NoSuchImageError, SystemError, ToteError } from '../errors/index.js';
import type { Reporter } from '../errors/report.js';
import { silentReporter } from '../errors/report.js';
import { withLock } from '../state/index.js';
import {
  beginBlobWrite,
  containerDir,
  DigestStream,
  extractLayer,
  layerDir,
  loadImages,
  putBlobBytes,
  removeTree,
  saveImages,
  storePaths,
  upsertImage,
  type ContainerRecord,
} from '../storage/index.js';
import { spawnInUserns, subIdHint, waitExit, type UsernsPlan } from '../userns/index.js';
import { applyChange } from './changes.js';
import { parseReference } from './reference.js';
import { readImageConfig, readImageManifest } from './store.js';
import { MediaType, type HistoryEntry, type ImageConfig, type ImageManifest, type ImageRuntimeConfig } from './types.js';

export interface CommitOptions {
  /** REPOSITORY[:TAG] for the new image (untagged when absent). */
  reference?: string;
  /** Dockerfile instructions applied to the new config (-c). */
  changes?: string[];
  /** Commit message (-m): the history entry's comment. */
  message?: string;
  /** Author (-a). */
  author?: string;
  /** docker's --pause (default true). Rootless containers cannot be frozen here; see the debug note. */
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

function fsOpScript(config: ToteConfig): string {
  return path.join(config.distDir, 'cli', 'internal', 'fs-op.js');
}

export async function commitContainer(config: ToteConfig, plan: UsernsPlan, record: ContainerRecord, options: CommitOptions = {}): Promise<string> {
  const reporter = options.reporter ?? silentReporter;
  const ref = options.reference ? parseReference(options.reference) : undefined;
  if (ref?.digest) throw new ToteError('E_TAG_DIGEST', `cannot commit to a digest reference: ${options.reference}`, { hint: 'use REPOSITORY[:TAG]' });
  if (record.driver === 'vfs') {
    throw new ToteError('E_COMMIT_VFS', `cannot commit container ${record.name}: its storage driver (vfs) keeps no separate change layer`);
  }
  const image = (await loadImages(config)).find((i) => i.id === record.imageId);
  if (!image) throw new NoSuchImageError(record.image);
  const parentConfig = await readImageConfig(config, image);
  const parentManifest = await readImageManifest(config, image);
  // Validates the --change instructions before any work is done.
  const runtimeConfig = commitRuntimeConfig(parentConfig.config, record, options.changes);
  if (options.pause !== false && (record.status === 'running' || record.status === 'paused')) {
    reporter.debug('commit: the container is not paused (no writable freezer cgroup rootless); its files are read while it runs');
  }

  const paths = storePaths(config);
  await fs.mkdir(paths.tmp, { recursive: true });
  await fs.mkdir(paths.layers, { recursive: true });
  const tmpLayer = path.join(paths.tmp, `commit-${randomBytes(8).toString('hex')}`);
  await fs.mkdir(tmpLayer, { mode: 0o755 });
  const blob = await beginBlobWrite(config);
  let committed = false;
  const upper = path.join(containerDir(config, record.id), 'diff');
  try {
    await fs.mkdir(upper, { recursive: true, mode: 0o755 });
    const producer = spawnInUserns(config, plan, [config.nodePath, fsOpScript(config), JSON.stringify({ op: 'layer-tar', upper })], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    producer.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const produced = waitExit(producer);
    const digest = new DigestStream();
    const toExtract = new PassThrough({ highWaterMark: 1 << 20 });
    producer.stdout!.pipe(digest);
    digest.pipe(blob.stream);
    digest.pipe(toExtract);
    let stats;
    try {
      [stats] = await Promise.all([extractLayer(config, plan, toExtract, tmpLayer, reporter), blob.done]);
    } catch (e) {
      producer.kill('SIGKILL');
      await produced.catch(() => undefined);
      throw e;
    }
    const code = await produced;
    if (code !== 0) {
      const line = stderr.split('\n').filter((l) => l.startsWith('{')).pop();
      let msg = stderr.trim() || `exit ${code}`;
      try {
        msg = (JSON.parse(line ?? '') as { error: { message: string } }).error.message;
      } catch {
        // keep the raw text
      }
      throw new SystemError('E_COMMIT_LAYER', `reading the container's changes: ${msg}`);
    }
    const diffId = digest.digest();
    reporter.debug(`commit: layer ${diffId}, ${stats.entries} entries, ${digest.size} bytes`);

    const created = new Date().toISOString();
    const history: HistoryEntry[] = [
      ...(parentConfig.history ?? []),
      {
        created,
        created_by: [...record.spec.entrypoint, ...record.spec.cmd].join(' '),
        ...(options.author ? { author: options.author } : {}),
        ...(options.message ? { comment: options.message } : {}),
      },
    ];
    const imageConfig: ImageConfig = {
      created,
      ...(options.author ? { author: options.author } : {}),
      architecture: parentConfig.architecture,
      os: parentConfig.os,
      ...(parentConfig.variant ? { variant: parentConfig.variant } : {}),
      config: runtimeConfig,
      rootfs: { type: 'layers', diff_ids: [...image.layers, diffId] },
      history,
    };

    return await withLock(paths.lock, async () => {
      const finalLayer = layerDir(config, diffId);
      if (await exists(finalLayer)) await removeTree(config, plan, tmpLayer);
      else await fs.rename(tmpLayer, finalLayer);
      await fs.writeFile(finalLayer + '.json', JSON.stringify({ diffId, size: digest.size }) + '\n');
      await blob.commit(diffId);
      committed = true;
      const configBlob = await putBlobBytes(config, JSON.stringify(imageConfig));
      const manifest: ImageManifest = {
        schemaVersion: 2,
        mediaType: MediaType.ociManifest,
        config: { mediaType: MediaType.ociConfig, digest: configBlob.digest, size: configBlob.size },
        layers: [...parentManifest.layers, { mediaType: MediaType.ociLayer, digest: diffId, size: digest.size }],
      };
      const manifestBlob = await putBlobBytes(config, JSON.stringify(manifest));
      const id = configBlob.digest.slice('sha256:'.length);
      const images = upsertImage(await loadImages(config), {
        id,
        manifestDigest: manifestBlob.digest,
        names: ref ? [ref.full] : [],
        layers: [...image.layers, diffId],
        size: image.size + digest.size,
        created,
        stored: created,
      });
      await saveImages(config, images);
      return configBlob.digest;
    });
  } catch (e) {
    if (!committed) await blob.abort();
    await removeTree(config, plan, tmpLayer).catch(() => undefined);
    if (e instanceof ToteError && e.code === 'E_ID_NOT_MAPPED') {
      throw new ToteError(e.code, e.message, { hint: subIdHint(config.userName), cause: e });
    }
    throw e;
  }
}

async function exists(p: string): Promise<boolean> {
  try {
    await fs.access(p);
    return true;
  } catch {
    return false;
  }
}
