/** run/create: pull the image first when `--pull` (or a local image of another `--platform`) says so (docker's "Unable to find image" on stderr). */
import type { UsernsPlan } from '../lib/userns/index.js';
import type { Context } from './context.js';
import { pullRenderer } from './pull-progress.js';

export async function ensureRunImage(ctx: Context, plan: UsernsPlan, args: { image: string; pull?: string; platform?: string; quiet?: boolean }): Promise<void> {
  // The everyday case, an image that is here under the default --pull=missing
  // and no --platform, is answered without loading pull and the registry
  // client (node:https and node:tls alone cost ~30–70 ms of start-up).
  if ((args.pull === undefined || args.pull.toLowerCase() === 'missing') && args.platform === undefined) {
    const [{ findImage }, { loadImages }] = await Promise.all([import('../lib/image/store.js'), import('../lib/storage/index.js')]);
    if (findImage(await loadImages(ctx.config), args.image)) return;
  }
  const { ensureImage, parsePullPolicy } = await import('../lib/image/index.js');
  const render = pullRenderer({ toStderr: true, quiet: args.quiet });
  try {
    await ensureImage(ctx.config, plan, args.image, parsePullPolicy(args.pull), { platform: args.platform, progress: render, reporter: ctx.reporter });
  } finally {
    render.stop();
  }
}
