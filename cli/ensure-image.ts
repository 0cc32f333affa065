/** run/create: pull the image first when `--pull` (or a local image of another `--platform`) says so (docker's "Unable to find image" on stderr). */
import type { UsernsPlan } from '../lib/userns/index.js';
import type { Context } from './context.js';
import { pullRenderer } from './pull-progress.js';

export async function ensureRunImage(ctx: Context, plan: UsernsPlan, args: { image: string; pull?: string; platform?: string; quiet?: boolean }): Promise<void> {
  const { ensureImage, parsePullPolicy } = await import('../lib/image/index.js');
  const render = pullRenderer({ toStderr: true, quiet: args.quiet });
  try {
    await ensureImage(ctx.config, plan, args.image, parsePullPolicy(args.pull), { platform: args.platform, progress: render, reporter: ctx.reporter });
  } finally {
    render.stop();
  }
}
