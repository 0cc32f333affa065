/**
 * run/create `--platform`: the local image of a name, if it was made for
 * the requested platform. As docker does, an image stored for another
 * platform is not used: it counts as missing (so the default policy pulls
 * the requested platform, with docker's "Unable to find image" line), and
 * `--pull=never` refuses with docker's message. Without `--platform` any
 * local image is used, whatever its platform (docker and podman agree).
 */
import type { ToteConfig } from '../config/index.js';
import { ToteError } from '../errors/index.js';
import { loadImages, type ImageRecord } from '../storage/index.js';
import { formatPlatform, parsePlatform, platformMatches } from './platform.js';
import { findImage, readImageConfig } from './store.js';

export interface LocalImage {
  /** The image to use, if there is one for the platform. */
  image?: ImageRecord;
  /** Set when the name exists locally, but for another platform. */
  mismatch?: ToteError;
}

export async function findLocalImage(config: ToteConfig, text: string, platform?: string): Promise<LocalImage> {
  const image = findImage(await loadImages(config), text);
  if (!image || !platform) return { image };
  const want = parsePlatform(platform);
  const have = await readImageConfig(config, image);
  if (platformMatches(want, have)) return { image };
  const actual = formatPlatform({ os: have.os, architecture: have.architecture, variant: have.variant });
  return {
    mismatch: new ToteError('E_PLATFORM_MISMATCH', `image with reference ${text} was found but does not match the specified platform: wanted ${formatPlatform(want)}, actual: ${actual}`, {
      hint: `pull the ${formatPlatform(want)} image (drop --pull=never), or run the local one without --platform`,
    }),
  };
}
