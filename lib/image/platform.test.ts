import { describe, test, expect } from '@jest/globals';
import { parsePlatform, platformMatches, selectPlatform, type IndexEntry } from './platform.js';
import { parseReference } from './reference.js';

const entry = (digest: string, os: string, architecture: string, variant?: string, annotations?: Record<string, string>): IndexEntry => ({
  digest,
  size: 1,
  platform: { os, architecture, ...(variant ? { variant } : {}) },
  ...(annotations ? { annotations } : {}),
});

describe('a stored image against a requested platform', () => {
  test('os and architecture must match; a variant only when asked for', () => {
    expect(platformMatches(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'amd64' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm64'), { os: 'linux', architecture: 'amd64' })).toBe(false);
    expect(platformMatches(parsePlatform('windows/amd64'), { os: 'linux', architecture: 'amd64' })).toBe(false);
    expect(platformMatches(parsePlatform('linux/arm64/v8'), { os: 'linux', architecture: 'arm64' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/arm/v6'), { os: 'linux', architecture: 'arm', variant: 'v7' })).toBe(false);
    expect(platformMatches({ os: 'linux', architecture: 'arm' }, { os: 'linux', architecture: 'arm', variant: 'v6' })).toBe(true);
    expect(platformMatches(parsePlatform('linux/amd64'), { os: 'linux', architecture: 'x86_64' })).toBe(true);
  });
  test('an image that records no platform is not re-pulled forever', () => {
    expect(platformMatches(parsePlatform('linux/arm64'), {})).toBe(true);
  });
});

describe('platform selection', () => {
  const list = [
    entry('sha256:att', 'unknown', 'unknown', undefined, { 'vnd.docker.reference.type': 'attestation-manifest' }),
    entry('sha256:armv6', 'linux', 'arm', 'v6'),
    entry('sha256:armv7', 'linux', 'arm', 'v7'),
    entry('sha256:arm64', 'linux', 'arm64', 'v8'),
    entry('sha256:amd64', 'linux', 'amd64'),
  ];
  test('defaults and variants', () => {
    expect(selectPlatform(list, parsePlatform('linux/amd64')).digest).toBe('sha256:amd64');
    expect(selectPlatform(list, parsePlatform('linux/arm')).digest).toBe('sha256:armv7');
    expect(selectPlatform(list, parsePlatform('linux/arm/v6')).digest).toBe('sha256:armv6');
    expect(selectPlatform(list, parsePlatform('arm64')).digest).toBe('sha256:arm64');
    expect(selectPlatform([entry('sha256:a', 'linux', 'arm64')], parsePlatform('linux/arm64/v8')).digest).toBe('sha256:a');
  });
  test('no match names what is available; attestations never chosen', () => {
    expect(() => selectPlatform(list, parsePlatform('linux/s390x'))).toThrow(/no matching manifest for linux\/s390x/);
    expect(() => selectPlatform([list[0]!], parsePlatform('linux/amd64'))).toThrow(/no matching manifest/);
    expect(() => parsePlatform('linux//')).toThrow(/invalid platform/);
  });
});

describe('references', () => {
  test('docker normalisation', () => {
    expect(parseReference('busybox').full).toBe('docker.io/library/busybox:latest');
    expect(parseReference('localhost:5000/a/b:t')).toMatchObject({ repository: 'localhost:5000/a/b', tag: 't' });
    const d = 'sha256:' + 'a'.repeat(64);
    expect(parseReference(`busybox@${d}`)).toMatchObject({ repository: 'docker.io/library/busybox', digest: d, tag: undefined });
  });
});
