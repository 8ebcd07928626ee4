import { describe, expect, it } from 'vitest';
import { InputError } from '../plan.js';
import { mergeOverrides, readToolPycontain } from './overrides.js';
import { parsePyProject } from './pyproject.js';

describe('[tool.pycontain]', () => {
  it('reads every key into Overrides with sources', () => {
    const p = parsePyProject(
      `[project]
name = "x"

[tool.pycontain]
python-version = "3.12"
base-image = "registry.example.com/python:3.12-slim-bookworm"
builder-image = "registry.example.com/python:3.12-bookworm"
distroless-image = "gcr.io/distroless/python3-debian12"
port = 8080
command = "gunicorn 'app:create_app()' --bind 0.0.0.0:8080"
apt-packages = ["libmagic1"]
build-apt-packages = ["libmagic-dev"]
distroless = false
index-url = "https://pypi.example.com/simple"
extra-index-urls = ["https://extra.example.com/simple"]
healthcheck-path = "/healthz"
uid = 20001
app-dir = "backend"
extras = ["postgres"]
keep-package-tests = true
debian = "bookworm"
`,
      'pyproject.toml',
    );
    const { overrides, sources } = readToolPycontain(p);
    expect(overrides).toEqual({
      pythonVersion: '3.12',
      baseImage: 'registry.example.com/python:3.12-slim-bookworm',
      builderImage: 'registry.example.com/python:3.12-bookworm',
      distrolessImage: 'gcr.io/distroless/python3-debian12',
      port: 8080,
      command: ['gunicorn', 'app:create_app()', '--bind', '0.0.0.0:8080'],
      aptPackages: ['libmagic1'],
      buildAptPackages: ['libmagic-dev'],
      distroless: false,
      indexUrl: 'https://pypi.example.com/simple',
      extraIndexUrls: ['https://extra.example.com/simple'],
      healthcheckPath: '/healthz',
      uid: 20001,
      appDir: 'backend',
      extras: ['postgres'],
      keepPackageTests: true,
      debian: 'bookworm',
    });
    expect(sources.port).toEqual({ file: 'pyproject.toml', line: 9 });
  });

  it('an unknown key is an error at its line', () => {
    const p = parsePyProject('[tool.pycontain]\nport = 80\nbase_image = "x"\n', 'pyproject.toml');
    expect(() => readToolPycontain(p)).toThrow(InputError);
    try {
      readToolPycontain(p);
    } catch (e) {
      expect((e as InputError).message).toMatch(/unknown key "base_image"/);
      expect((e as InputError).line).toBe(3);
    }
  });

  it('a wrong type is an error at its line', () => {
    const p = parsePyProject('[tool.pycontain]\n\nport = "eighty"\n', 'pyproject.toml');
    expect(() => readToolPycontain(p)).toThrow(
      expect.objectContaining({ line: 3, message: expect.stringMatching(/^\[tool\.pycontain\] port:/) }),
    );
  });

  it('debian must be a codename', () => {
    const p = parsePyProject('[tool.pycontain]\ndebian = "Debian 12"\n', 'pyproject.toml');
    expect(() => readToolPycontain(p)).toThrow(
      expect.objectContaining({
        line: 2,
        message: expect.stringMatching(/debian: expected a Debian codename/),
      }),
    );
  });

  it('python-version must be X.Y', () => {
    const p = parsePyProject('[tool.pycontain]\npython-version = "latest"\n', 'pyproject.toml');
    expect(() => readToolPycontain(p)).toThrow(/python-version must look like "3\.12"/);
  });

  it('CLI layers win, undefined never erases', () => {
    expect(
      mergeOverrides({ port: 1, pythonVersion: '3.11' }, { port: 2 }, { port: undefined, uid: 5 }),
    ).toEqual({ port: 2, pythonVersion: '3.11', uid: 5 });
  });
});
