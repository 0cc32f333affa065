/** `tote history`: an image's history entries, newest first, with the ids of local images that match them. */
import { promises as fs } from 'node:fs';
import type { ToteConfig } from '../config/index.js';
import { layerDir, loadImages, type ImageRecord } from '../storage/index.js';
import { readImageConfig, readImageManifest } from './store.js';

export interface HistoryRow {
  /** 64 hex, or `<missing>` when no local image ends at this entry. */
  id: string;
  created: string;
  createdBy: string;
  size: number;
  comment: string;
  emptyLayer: boolean;
}

async function layerSize(config: ToteConfig, diffId: string, fallback: number): Promise<number> {
  try {
    const meta = JSON.parse(await fs.readFile(layerDir(config, diffId) + '.json', 'utf8')) as { size?: number };
    return typeof meta.size === 'number' ? meta.size : fallback;
  } catch {
    return fallback;
  }
}

export async function imageHistory(config: ToteConfig, image: ImageRecord): Promise<HistoryRow[]> {
  const cfg = await readImageConfig(config, image);
  const manifest = await readImageManifest(config, image).catch(() => undefined);
  const history = cfg.history ?? [];
  // Local images whose layers are a prefix of this one's may be the image at an entry (builds keep them).
  const idAt = new Map<number, string>();
  idAt.set(history.length - 1, image.id);
  for (const other of await loadImages(config)) {
    if (other.id === image.id || other.layers.length > image.layers.length) continue;
    if (!other.layers.every((l, i) => image.layers[i] === l)) continue;
    const oc = await readImageConfig(config, other).catch(() => undefined);
    const oh = oc?.history ?? [];
    if (oh.length === 0 || oh.length > history.length) continue;
    if (oh.every((h, i) => h.created === history[i].created && h.created_by === history[i].created_by)) {
      if (!idAt.has(oh.length - 1)) idAt.set(oh.length - 1, other.id);
    }
  }
  const rows: HistoryRow[] = [];
  let layer = 0;
  for (let i = 0; i < history.length; i++) {
    const h = history[i];
    let size = 0;
    if (!h.empty_layer) {
      const diffId = image.layers[layer];
      if (diffId) size = await layerSize(config, diffId, manifest?.layers[layer]?.size ?? 0);
      layer++;
    }
    rows.push({
      id: idAt.get(i) ?? '<missing>',
      created: h.created ?? cfg.created ?? '',
      createdBy: h.created_by ?? '',
      size,
      comment: h.comment ?? '',
      emptyLayer: Boolean(h.empty_layer),
    });
  }
  return rows.reverse();
}
