import { describe, expect, it } from 'vitest';
import { buildModel } from '../lint/model.js';
import { aptReleases, debianReleaseOf } from './apt-releases.js';

const releaseOf = (from: string) => {
  const m = buildModel(`FROM ${from}\nRUN true\n`);
  return debianReleaseOf(m.stages[0]!.image);
};

describe('data/apt-releases.json', () => {
  const d = aptReleases();

  it('names a replacement the release has, and a note where there is none', () => {
    for (const [release, missing] of Object.entries(d.missing)) {
      expect(['bookworm', 'trixie']).toContain(release);
      for (const [name, use] of Object.entries(missing)) {
        expect(name, name).toMatch(/^[a-z0-9][a-z0-9+.-]+$/);
        if (use === null) expect(d.notes[name], name).toBeTruthy();
        else expect(missing[use], `${release}: ${name} -> ${use}`).toBeUndefined();
      }
    }
    // The t64 renames go both ways: what one release lacks, the other installs.
    expect(d.missing.trixie!['libldap-2.5-0']).toBe('libldap2');
    expect(d.missing.bookworm!.libldap2).toBe('libldap-2.5-0');
    // Renamed with a Provides of the old name: apt installs it, so it is not listed.
    expect(d.missing.trixie!.libssl3).toBeUndefined();
  });

  it('untagged official python tags: trixie, except minors frozen before 2025-08', () => {
    expect(d.untaggedPython.default).toBe('trixie');
    for (const r of Object.values(d.untaggedPython)) expect(['bullseye', 'bookworm', 'trixie']).toContain(r);
  });
});

describe('debianReleaseOf', () => {
  it('reads the release from codenames, debianNN, debian:NN and the official python floating tags', () => {
    expect(releaseOf('python:3.12-slim-bookworm')).toBe('bookworm');
    expect(releaseOf(`registry.example.com/mirror/python:3.12-slim-trixie@sha256:${'a'.repeat(64)}`)).toBe(
      'trixie',
    );
    expect(releaseOf('debian:trixie-slim')).toBe('trixie');
    expect(releaseOf('gcr.io/distroless/python3-debian12:nonroot')).toBe('bookworm');
    expect(releaseOf('debian:12')).toBe('bookworm');
    expect(releaseOf('debian:13.2-slim')).toBe('trixie');
    expect(releaseOf('python:3.12-slim')).toBe('trixie');
    expect(releaseOf('python:3.13')).toBe('trixie');
    expect(releaseOf('docker.io/library/python:3.8-slim')).toBe('bookworm');
  });

  it('says nothing it cannot know', () => {
    expect(releaseOf('python:3.12.4-slim')).toBeNull(); // a patch tag may predate trixie
    expect(releaseOf(`python:3.12-slim@sha256:${'b'.repeat(64)}`)).toBeNull();
    expect(releaseOf('corp/python:3.12-slim')).toBeNull(); // a mirror may lag
    expect(releaseOf('ubuntu:24.04')).toBeNull();
    expect(releaseOf('scratch')).toBeNull();
    expect(releaseOf('$BASE')).toBeNull();
  });
});
