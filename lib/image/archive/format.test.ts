import { describe, test, expect } from '@jest/globals';
import {
  dockerManifestJson,
  memberPath,
  ociBlobPath,
  ociIndexJson,
  parseDockerManifest,
  parseOciIndex,
  repoTag,
  repositoriesJson,
  resolveLink,
} from './format.js';

const H = (c: string) => c.repeat(64);

describe('docker-archive manifest.json', () => {
  test('generated as docker writes it, and parsed back', () => {
    const text = dockerManifestJson([
      { Config: `${H('a')}.json`, RepoTags: ['busybox:latest', 'localhost:5000/x/y:v1'], Layers: [`${H('b')}.tar`, `${H('c')}.tar`] },
      { Config: `${H('d')}.json`, RepoTags: null, Layers: [] },
    ]);
    expect(JSON.parse(text)).toEqual([
      { Config: `${H('a')}.json`, RepoTags: ['busybox:latest', 'localhost:5000/x/y:v1'], Layers: [`${H('b')}.tar`, `${H('c')}.tar`] },
      { Config: `${H('d')}.json`, RepoTags: null, Layers: [] },
    ]);
    const parsed = parseDockerManifest(text);
    expect(parsed[0]!.RepoTags).toEqual(['busybox:latest', 'localhost:5000/x/y:v1']);
    expect(parsed[1]!.RepoTags).toBeNull();
  });

  test('legacy docker layout paths are normalised', () => {
    const parsed = parseDockerManifest(JSON.stringify([{ Config: './cfg.json', Layers: ['abc/layer.tar'] }]));
    expect(parsed).toEqual([{ Config: 'cfg.json', RepoTags: null, Layers: ['abc/layer.tar'] }]);
  });

  test('bad documents and escaping paths are refused', () => {
    expect(() => parseDockerManifest('{')).toThrow(/not valid JSON/);
    expect(() => parseDockerManifest('{}')).toThrow(/not a list/);
    expect(() => parseDockerManifest('[{"Layers":[]}]')).toThrow(/no Config/);
    expect(() => parseDockerManifest('[{"Config":"c.json","Layers":[1]}]')).toThrow(/Layers/);
    expect(() => parseDockerManifest('[{"Config":"c.json","Layers":[],"RepoTags":"x"}]')).toThrow(/RepoTags/);
    expect(() => parseDockerManifest('[{"Config":"../c.json","Layers":[]}]')).toThrow(/leaves the archive/);
    expect(() => parseDockerManifest('[{"Config":"c.json","Layers":["/etc/passwd"]}]')).toThrow(/leaves the archive/);
  });

  test('repositories maps familiar repository and tag to the top layer', () => {
    expect(JSON.parse(repositoriesJson([{ repoTags: ['busybox:latest', 'busybox:1', 'localhost:5000/a:b'], topLayer: H('c') }, { repoTags: ['empty:x'] }]))).toEqual({
      busybox: { latest: H('c'), '1': H('c') },
      'localhost:5000/a': { b: H('c') },
    });
  });

  test('repoTag gives docker’s familiar names', () => {
    expect(repoTag('docker.io/library/busybox:latest')).toBe('busybox:latest');
    expect(repoTag('docker.io/me/app:v2')).toBe('me/app:v2');
    expect(repoTag('localhost:5000/a/b:t')).toBe('localhost:5000/a/b:t');
  });
});

describe('oci-archive index.json', () => {
  const manifest = { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest: `sha256:${H('e')}`, size: 400 };

  test('generated with docker’s annotations, parsed back to the full name', () => {
    const text = ociIndexJson([{ manifest, name: 'docker.io/library/busybox:latest' }, { manifest }]);
    const doc = JSON.parse(text);
    expect(doc).toMatchObject({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json' });
    expect(doc.manifests[0]).toEqual({
      ...manifest,
      annotations: { 'io.containerd.image.name': 'docker.io/library/busybox:latest', 'org.opencontainers.image.ref.name': 'latest' },
    });
    expect(doc.manifests[1]).toEqual(manifest);
    const parsed = parseOciIndex(text);
    expect(parsed[0]!.name).toBe('docker.io/library/busybox:latest');
    expect(parsed[1]!.name).toBeUndefined();
  });

  test('a ref.name that is a whole reference names the image; a bare tag does not', () => {
    const idx = (annotations: Record<string, string>) => JSON.stringify({ schemaVersion: 2, manifests: [{ ...manifest, annotations }] });
    expect(parseOciIndex(idx({ 'org.opencontainers.image.ref.name': 'localhost/app:v1' }))[0]!.name).toBe('localhost/app:v1');
    expect(parseOciIndex(idx({ 'org.opencontainers.image.ref.name': 'latest' }))[0]!.name).toBeUndefined();
  });

  test('bad documents are refused', () => {
    expect(() => parseOciIndex('nope')).toThrow(/not valid JSON/);
    expect(() => parseOciIndex('{"schemaVersion":2}')).toThrow(/no manifests/);
    expect(() => parseOciIndex('{"manifests":[{"digest":"sha256:zz","size":1}]}')).toThrow(/digest/);
    expect(() => parseOciIndex(`{"manifests":[{"digest":"sha256:${H('a')}"}]}`)).toThrow(/no size/);
  });

  test('blob paths', () => {
    expect(ociBlobPath(`sha256:${H('f')}`)).toBe(`blobs/sha256/${H('f')}`);
    expect(() => ociBlobPath('sha256:../../etc')).toThrow(/unsupported digest/);
  });
});

describe('archive member paths', () => {
  test('normalised, and nothing outside the archive', () => {
    expect(memberPath('./manifest.json')).toBe('manifest.json');
    expect(memberPath('blobs/sha256/')).toBe('blobs/sha256');
    expect(memberPath('a/../b')).toBe('b');
    expect(memberPath('../x')).toBeNull();
    expect(memberPath('a/../../x')).toBeNull();
    expect(memberPath('/etc/passwd')).toBeNull();
    expect(memberPath('./')).toBeNull();
  });

  test('symlinks resolve relative to their directory', () => {
    expect(resolveLink('abc/layer.tar', '../def/layer.tar')).toBe('def/layer.tar');
    expect(resolveLink('abc/layer.tar', '../../etc/passwd')).toBeNull();
  });
});
