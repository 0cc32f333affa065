/**
 * Interoperability with a second client, skopeo (containers/image, the
 * library podman uses), through the real registry: images skopeo pushed
 * (Docker schema 2, zstd, a multi-platform index) pull and run in tote with
 * the digests skopeo reported; an image tote pushed is read and copied by
 * skopeo with the digest tote reported. The source images are OCI layouts
 * written from the spec (fixtures/oci-layout.ts), not by tote.
 */
import { describe, test, expect, beforeAll, afterAll } from '@jest/globals';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { makeEnv, show, lines, haveProgram } from './harness.js';
import { startRegistry, type TestRegistry } from './fixtures/registry.js';
import { writeOciLayout, type Layout } from './fixtures/oci-layout.js';

const e = makeEnv();
const maybe = haveProgram('docker-registry') && haveProgram('skopeo') ? describe : describe.skip;
const hostArch = process.arch === 'x64' ? 'amd64' : process.arch;
const otherArch = hostArch === 'arm64' ? 'amd64' : 'arm64';

let registry: TestRegistry;
let single: Layout;
let multi: Layout;
let plain: Layout;

async function ok(args: string[], opts: Parameters<typeof e.tote>[1] = {}) {
  const r = await e.tote(args, opts);
  if (r.code !== 0) throw new Error(`tote ${args.join(' ')}\n${show(r)}`);
  return r;
}

/**
 * skopeo with the test's pinned environment (its auth and config files stay
 * in the temp HOME), no signature policy file to depend on, and temp files
 * in the test dir.
 */
async function skopeo(args: string[], env: Record<string, string> = {}): Promise<string> {
  const [verb, ...rest] = args;
  try {
    const r = await promisify(execFile)('skopeo', ['--insecure-policy', verb!, ...rest], { env: { ...e.env, TMPDIR: e.dir, ...env }, maxBuffer: 16 << 20 });
    return r.stdout;
  } catch (err) {
    throw new Error(`skopeo ${args.join(' ')}: ${(err as { stderr?: string }).stderr ?? String(err)}`);
  }
}

/** Pushes LAYOUT:tag to REPO with skopeo; returns the digest skopeo wrote. */
async function skopeoPush(layout: Layout, repo: string, extra: string[] = [], env: Record<string, string> = {}): Promise<string> {
  const digestFile = path.join(e.dir, `${repo.replace(/\W/g, '_')}.digest`);
  await skopeo(['copy', '--quiet', '--dest-tls-verify=false', '--digestfile', digestFile, ...extra, `oci:${layout.dir}:1`, `docker://${registry.host}/${repo}`], env);
  return readFileSync(digestFile, 'utf8').trim();
}

const sha256 = (b: Buffer) => `sha256:${createHash('sha256').update(b).digest('hex')}`;

maybe('interoperability with skopeo', () => {
  beforeAll(async () => {
    registry = await startRegistry(path.join(e.dir, 'reg'));
    const tar = await e.busyboxTar();
    single = writeOciLayout(path.join(e.dir, 'layout-single'), tar, '1', [{ os: 'linux', architecture: hostArch }]);
    plain = writeOciLayout(path.join(e.dir, 'layout-plain'), tar, '1', [{ os: 'linux', architecture: hostArch }], { uncompressed: true });
    multi = writeOciLayout(path.join(e.dir, 'layout-multi'), tar, '1', [
      { os: 'linux', architecture: hostArch },
      { os: 'linux', architecture: otherArch, ...(otherArch === 'arm64' ? { variant: 'v8' } : {}) },
    ]);
  });

  afterAll(async () => {
    await registry?.stop();
  });

  test('pushed by skopeo as Docker schema 2: tote pulls the same digest and runs it', async () => {
    const digest = await skopeoPush(single, 'skopeo/v2s2:1', ['--format', 'v2s2']);
    const ref = `${registry.host}/skopeo/v2s2:1`;
    const pull = await ok(['pull', ref]);
    expect(lines(pull.stdout)).toContain(`Digest: ${digest}`);
    const ids = await ok(['images', '--digests', '--no-trunc', '--format', '{{.ID}} {{.Digest}}', ref]);
    // The image id is the config's digest, which the conversion to schema 2 kept.
    expect(lines(ids.stdout)).toEqual([`${single.configs[0]} ${digest}`]);
    const run = await ok(['run', '--rm', ref, 'echo', 'from-skopeo']);
    expect(run.stdout).toBe('from-skopeo\n');
    const label = await ok(['inspect', '--format', '{{index .Config.Labels "made-by"}}', ref]);
    expect(label.stdout).toBe('oci-layout fixture\n');
  });

  test('pushed by skopeo with zstd layers: tote pulls, verifies and runs it', async () => {
    // skopeo 1.9 compresses an uncompressed layer in the format asked for, but
    // reuses a gzip copy its blob-info cache knows of: give it a cache of its own.
    const digest = await skopeoPush(plain, 'skopeo/zstd:1', ['--dest-compress-format', 'zstd'], { XDG_DATA_HOME: path.join(e.dir, 'skopeo-zstd-data') });
    const res = await fetch(`http://${registry.host}/v2/skopeo/zstd/manifests/${digest}`, { headers: { accept: 'application/vnd.oci.image.manifest.v1+json' } });
    const manifest = (await res.json()) as { layers: Array<{ mediaType: string }> };
    expect(manifest.layers[0]!.mediaType).toBe('application/vnd.oci.image.layer.v1.tar+zstd');
    const ref = `${registry.host}/skopeo/zstd:1`;
    const pull = await ok(['pull', ref]);
    expect(lines(pull.stdout)).toContain(`Digest: ${digest}`);
    const run = await ok(['run', '--rm', ref, 'echo', 'zstd']);
    expect(run.stdout).toBe('zstd\n');
  });

  test('a multi-platform index pushed by skopeo: tote pulls the host\'s platform, or the one asked for', async () => {
    const digest = await skopeoPush(multi, 'skopeo/multi:1', ['--all', '--preserve-digests']);
    const ref = `${registry.host}/skopeo/multi:1`;
    const pull = await ok(['pull', ref]);
    expect(lines(pull.stdout)).toContain(`Digest: ${digest}`);
    expect((await ok(['images', '-q', '--no-trunc', ref])).stdout.trim()).toBe(multi.configs[0]);
    const other = await ok(['pull', '--platform', `linux/${otherArch}`, ref]);
    expect(lines(other.stdout)).toContain(`Digest: ${digest}`);
    expect((await ok(['images', '-q', '--no-trunc', ref])).stdout.trim()).toBe(multi.configs[1]);
    const arch = await ok(['inspect', '--format', '{{.Architecture}}', ref]);
    expect(arch.stdout).toBe(`${otherArch}\n`);
  });

  test('pushed by tote: skopeo inspects and copies it with the same digest', async () => {
    const ref = `${registry.host}/tote/bb:1`;
    await e.importBusybox(ref);
    const digestFile = path.join(e.dir, 'tote.digest');
    await ok(['push', '--digestfile', digestFile, ref]);
    const digest = readFileSync(digestFile, 'utf8').trim();
    expect(digest).toMatch(/^sha256:[0-9a-f]{64}$/);

    const inspect = JSON.parse(await skopeo(['inspect', '--tls-verify=false', `docker://${ref}`])) as { Digest: string; Architecture: string; Layers: string[] };
    expect(inspect.Digest).toBe(digest);
    expect(inspect.Architecture).toBe(hostArch);

    // skopeo verifies every blob while copying; the manifest it wrote is byte for byte what tote pushed.
    const out = path.join(e.dir, 'skopeo-dir');
    await skopeo(['copy', '--quiet', '--src-tls-verify=false', `docker://${ref}`, `dir:${out}`]);
    expect(sha256(readFileSync(path.join(out, 'manifest.json')))).toBe(digest);
    const files = readdirSync(out).filter((f) => /^[0-9a-f]{64}$/.test(f));
    expect(files.sort()).toEqual(inspect.Layers.map((l) => l.slice(7)).concat(JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')).config.digest.slice(7)).sort());
  });
});
