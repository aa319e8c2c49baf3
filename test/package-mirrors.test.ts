import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempFolders } from './helpers/dataset-folder';

const ROOT = path.resolve(import.meta.dirname, '..');
const folders = tempFolders();
afterAll(() => folders.removeAll());

/**
 * Host names of package registries and their mirrors (Debian's, Ubuntu's, npm's and its mirrors, PyPI's,
 * PyTorch's): the project takes each from the machine's own configuration (apt sources, npm config) and
 * names none. A sources line with a literal URI is caught too.
 */
const MIRROR_HOSTS = [
  /\b(?:[a-z0-9-]+\.)*debian\.(?:org|net)\b/i,
  /\b(?:[a-z0-9-]+\.)*ubuntu\.com\b/i,
  /\bregistry\.(?:npmjs\.(?:org|com)|yarnpkg\.com)\b/i,
  /\b(?:[a-z0-9-]+\.)*npmmirror\.com\b/i,
  /\b(?:[a-z0-9-]+\.)*taobao\.org\b/i,
  /\b(?:pypi\.org|files\.pythonhosted\.org|download\.pytorch\.org)\b/i,
  /^\s*(?:echo\s+["']?)?deb(?:-src)?\s+(?:\[[^\]]*\]\s+)?[a-z]+:\/\/[a-z]/im,
  /^\s*URIs:\s*[a-z]+:\/\/[a-z]/im,
];

describe('package mirrors', () => {
  it('are named nowhere in the tree: code, scripts, docs and tests take them from the machine', () => {
    const files = execFileSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((file) => {
      const full = path.join(ROOT, file);
      if (!fs.existsSync(full) || fs.statSync(full).size > 5_000_000) return [];
      const text = fs.readFileSync(full, 'utf8');
      return MIRROR_HOSTS.flatMap((pattern) => {
        const match = pattern.exec(text);
        return match ? [`${file}: ${match[0].trim()}`] : [];
      });
    });
    expect(found).toEqual([]);
  });

  it("scripts/debian-mirror.sh reads the release's URI from deb822 sources, then from one-line sources, else says where it looked", () => {
    const mirror = (etc: string) =>
      spawnSync('bash', [path.join(ROOT, 'scripts', 'debian-mirror.sh'), 'bookworm'], {
        encoding: 'utf8',
        env: { ...process.env, APT_ETC: etc },
      });
    // The fixtures' hosts are under .test (RFC 2606: never a real host), and their sources lines are put
    // together here, so that no tracked file, this one included, holds a sources line with a URI in it.
    const uri = (host: string, suffix = '/debian') => `http://${host}.example.test${suffix}`;
    const uris = (host: string, suffix?: string) => `URIs: ${uri(host, suffix)}`;
    // A deb822 file whose first stanza is another suite's: the release's own stanza gives the URI.
    const deb822 = folders.make('apt-deb822');
    fs.mkdirSync(path.join(deb822, 'sources.list.d'));
    fs.writeFileSync(
      path.join(deb822, 'sources.list.d', 'debian.sources'),
      [
        'Types: deb',
        uris('security', '/debian-security'),
        'Suites: bookworm-security',
        'Components: main',
        '',
        'Types: deb',
        uris('packages'),
        'Suites: bookworm bookworm-updates',
        'Components: main',
        '',
      ].join('\n'),
    );
    expect(mirror(deb822).stdout.trim()).toBe(uri('packages'));
    // One-line entries, options in brackets.
    const oneLine = folders.make('apt-one-line');
    fs.writeFileSync(
      path.join(oneLine, 'sources.list'),
      ['# a comment', ['deb', '[arch=amd64 signed-by=/k.gpg]', uri('lines'), 'bookworm main'].join(' '), ''].join('\n'),
    );
    expect(mirror(oneLine).stdout.trim()).toBe(uri('lines'));
    const none = folders.make('apt-none');
    const missing = mirror(none);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`No apt source for Debian bookworm found in ${none}`);
  });
});
