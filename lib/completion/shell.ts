/** What every completion script shares: quoting, and how names are listed from the store. */
import type { NameKind } from './model.js';

/** Shell commands that list names from the store (run at completion time). */
export const LISTERS: Record<NameKind, string> = {
  containers: `tote ps -a --format '{{.Names}}'`,
  images: `tote images --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>'`,
  volumes: `tote volume ls -q`,
  networks: `tote network ls --format '{{.Name}}'`,
  objects: `tote ps -a --format '{{.Names}}'; tote images --format '{{.Repository}}:{{.Tag}}' | grep -v '<none>'`,
};

/** Single-quoted for bash, zsh and fish (a quote inside becomes '\''). */
export const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
