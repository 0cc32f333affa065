/**
 * run/create `--platform` against a multi-platform index in the real
 * registry: the flag reaches the pull, a local image of another platform
 * is not silently used (docker's behaviour: it counts as missing, and
 * `--pull=never` says why), and without the flag the local image is used
 * whatever its platform, as docker and podman do.
 *
 * Both platforms' images hold the host's busybox (only their configs say
 * otherwise), so either one runs here; what is checked is which one was
 * chosen.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import path from 'node:path';
import { makeEnv, show, lines, haveProgram } from './harness.js';
import { startRegistry, type TestRegistry } from './fixtures/registry.js';
import { writeOciLayout, type Layout } from './fixtures/oci-layout.js';
import { pushOciLayout } from './fixtures/push-layout.js';

const e = makeEnv();
const maybe = haveProgram('docker-registry') ? describe : describe.skip;
const hostArch = process.arch === 'x64' ? 'amd64' : process.arch;
const otherArch = hostArch === 'arm64' ? 'amd64' : 'arm64';
const otherVariant = otherArch === 'arm64' ? '/v8' : '';

let registry: TestRegistry;
let layout: Layout;
let ref = '';

async function ok(args: string[]) {
  const r = await e.tote(args);
  if (r.code !== 0) throw new Error(`tote ${args.join(' ')}\n${show(r)}`);
  return r;
}

const localId = async () => (await ok(['images', '-q', '--no-trunc', ref])).stdout.trim();

maybe('run/create --platform', () => {
  beforeAll(async () => {
    registry = await startRegistry(path.join(e.dir, 'reg'));
    layout = writeOciLayout(path.join(e.dir, 'layout'), await e.busyboxTar(), '1', [
      { os: 'linux', architecture: hostArch },
      { os: 'linux', architecture: otherArch, ...(otherVariant ? { variant: 'v8' } : {}) },
    ]);
    ref = `${registry.host}/multi/bb:1`;
    await pushOciLayout(registry.host, layout.dir, 'multi/bb', '1');
    await ok(['pull', '-q', ref]);
    expect(await localId()).toBe(layout.configs[0]);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  test('run --platform pulls the requested platform when the local image is another', async () => {
    const r = await e.tote(['run', '--rm', '--platform', `linux/${otherArch}`, ref, 'echo', 'other']);
    expect({ code: r.code, out: show(r) }).toMatchObject({ code: 0 });
    expect(r.stdout).toBe('other\n');
    expect(lines(r.stderr)[0]).toBe(`Unable to find image '${ref}' locally`);
    expect(await localId()).toBe(layout.configs[1]);
    expect((await ok(['inspect', '--format', '{{.Architecture}}', ref])).stdout).toBe(`${otherArch}\n`);
  });

  test('create --platform uses a local image of that platform without pulling', async () => {
    const r = await ok(['create', '--platform', `linux/${otherArch}${otherVariant}`, ref, 'true']);
    expect(r.stderr).not.toContain('Unable to find image');
    const id = lines(r.stdout).pop()!;
    expect((await ok(['inspect', '--format', '{{.Image}}', id])).stdout).toBe(`${layout.configs[1]}\n`);
    await ok(['rm', id]);
  });

  test('--pull=never refuses a local image of another platform, with docker\'s message', async () => {
    const r = await e.tote(['run', '--rm', '--pull=never', '--platform', `linux/${hostArch}`, ref, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain(`image with reference ${ref} was found but does not match the specified platform: wanted linux/${hostArch}, actual: linux/${otherArch}${otherVariant}`);
    expect(await localId()).toBe(layout.configs[1]);
  });

  test('without --platform the local image is used, whatever its platform', async () => {
    const r = await ok(['run', '--rm', ref, 'echo', 'as-is']);
    expect(r.stdout).toBe('as-is\n');
    expect(r.stderr).not.toContain('Unable to find image');
    expect(await localId()).toBe(layout.configs[1]);
  });

  test('create --platform for a platform the index lacks → exit 125, naming the ones it has', async () => {
    const r = await e.tote(['create', '--platform', 'linux/s390x', ref, 'true']);
    expect(r.code).toBe(125);
    expect(r.stderr).toContain('no matching manifest for linux/s390x');
    expect(r.stderr).toContain(`available: linux/${hostArch}, linux/${otherArch}${otherVariant}`);
    expect(await localId()).toBe(layout.configs[1]);
  });
});
