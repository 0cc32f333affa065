/** docker-shaped views of local images: `images` rows and `image inspect` JSON. */
import type { ToteConfig } from '../config/index.js';
import { loadImages, layerDir, type ImageRecord } from '../storage/index.js';
import { familiarName, familiarRepository, splitName } from './reference.js';
import { readImageConfig } from './store.js';

export interface ImageRow {
  ID: string;
  Repository: string;
  Tag: string;
  Digest: string;
  CreatedAt: string;
  Size: number;
  /** The full record, for --no-trunc and filters. */
  record: ImageRecord;
}

/**
 * One row per name (docker lists an image once per repo:tag), `<none>` when
 * unnamed. Without `all`, intermediate images (unnamed parents of another
 * image, left by build steps) are hidden, as docker hides them.
 */
export async function listImageRows(config: ToteConfig, options: { all?: boolean } = {}): Promise<ImageRow[]> {
  const stored = await loadImages(config);
  const parents = new Set(stored.map((i) => i.parent).filter((p): p is string => Boolean(p)));
  const images = options.all ? stored : stored.filter((i) => i.names.length > 0 || !parents.has(i.id));
  const rows: ImageRow[] = [];
  for (const img of [...images].sort((a, b) => b.created.localeCompare(a.created))) {
    const names = img.names.length > 0 ? img.names : [undefined];
    for (const name of names) {
      const split = name ? splitName(name) : { repository: '<none>', tag: '<none>' };
      const digest = img.digests?.find((d) => name && d.startsWith(split.repository + '@'))?.split('@')[1] ?? '<none>';
      rows.push({
        ID: img.id,
        Repository: split.repository === '<none>' ? '<none>' : familiarRepository(split.repository),
        Tag: split.tag,
        Digest: digest,
        CreatedAt: img.created,
        Size: img.size,
        record: img,
      });
    }
  }
  return rows;
}

export async function inspectImage(config: ToteConfig, image: ImageRecord): Promise<Record<string, unknown>> {
  const cfg = await readImageConfig(config, image);
  const rc = cfg.config ?? {};
  return {
    Id: 'sha256:' + image.id,
    RepoTags: image.names.map(familiarName),
    RepoDigests: image.digests ?? [],
    Parent: image.parent ? 'sha256:' + image.parent : '',
    Comment: cfg.history?.at(-1)?.comment ?? '',
    Created: cfg.created ?? image.created,
    DockerVersion: '',
    Author: cfg.author ?? '',
    Config: {
      Hostname: '',
      Domainname: '',
      User: rc.User ?? '',
      AttachStdin: false,
      AttachStdout: false,
      AttachStderr: false,
      ExposedPorts: rc.ExposedPorts ?? null,
      Tty: false,
      OpenStdin: false,
      StdinOnce: false,
      Env: rc.Env ?? null,
      Cmd: rc.Cmd ?? null,
      Image: '',
      Volumes: rc.Volumes ?? null,
      WorkingDir: rc.WorkingDir ?? '',
      Entrypoint: rc.Entrypoint ?? null,
      OnBuild: rc.OnBuild ?? null,
      Labels: rc.Labels ?? null,
      ...(rc.StopSignal ? { StopSignal: rc.StopSignal } : {}),
      ...(rc.Healthcheck ? { Healthcheck: rc.Healthcheck } : {}),
      ...(rc.Shell ? { Shell: rc.Shell } : {}),
    },
    Architecture: cfg.architecture,
    ...(cfg.variant ? { Variant: cfg.variant } : {}),
    Os: cfg.os,
    Size: image.size,
    VirtualSize: image.size,
    GraphDriver: {
      Name: 'overlay',
      Data: { LowerDir: image.layers.map((l) => layerDir(config, l)).reverse().join(':') },
    },
    RootFS: { Type: 'layers', Layers: cfg.rootfs.diff_ids },
    Metadata: { LastTagTime: image.stored },
    History: cfg.history ?? [],
  };
}
