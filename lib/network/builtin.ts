/**
 * The networks `network ls` shows. Rootless tote has no bridges to create:
 * each container gets its own namespace from a user-mode helper, so the
 * networks are the modes `--network` accepts, as podman lists its
 * built-in ones.
 */
import { createHash } from 'node:crypto';
import type { ToteConfig } from '../config/index.js';
import { findNetworkProgram, defaultBackend } from './mode.js';

export interface NetworkInfo {
  Name: string;
  Id: string;
  Driver: string;
  Scope: 'local';
  /** Whether `run` uses it when no --network is given. */
  Default: boolean;
  /** The helper program, for the helper-backed networks. */
  Program?: string;
}

function idOf(name: string): string {
  return createHash('sha256').update(`tote-network:${name}`).digest('hex');
}

export function builtinNetworks(config: ToteConfig): NetworkInfo[] {
  const def = defaultBackend(config);
  const helpers = (['pasta', 'slirp4netns'] as const)
    .map((name) => ({ name, program: findNetworkProgram(config, name) }))
    .filter((h) => h.program);
  return [
    ...helpers.map((h) => ({ Name: h.name, Id: idOf(h.name), Driver: h.name, Scope: 'local' as const, Default: h.name === def, Program: h.program })),
    { Name: 'host', Id: idOf('host'), Driver: 'host', Scope: 'local', Default: false },
    { Name: 'none', Id: idOf('none'), Driver: 'null', Scope: 'local', Default: !def },
  ];
}
