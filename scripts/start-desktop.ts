/**
 * `npm start`: builds the app and launches it in Electron. Electron's binary comes from a download that
 * `npm install` makes for the optional `electron` package; where that download is impossible, say so
 * plainly and point at the web mode, which needs no Electron.
 *
 * better-sqlite3 is compiled against Node's ABI in node_modules (the CLI and the web mode use it there). The
 * desktop engine runs inside Electron, so a second build of it for Electron's ABI is made here, at launch,
 * into dist/electron-native/, and handed to the engine through MODALITY_STUDIO_SQLITE_BINDING. Packaged
 * apps do not need this: electron-builder rebuilds native modules when it packs (npmRebuild).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { buildAll, DIST, ROOT } from './build';

const require = createRequire(import.meta.url);
const WEB_MODE = 'npx modality-studio serve';

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function electronBinary(): { binary: string; version: string } {
  let binary: string;
  try {
    binary = require('electron') as string;
  } catch {
    fail(
      `The desktop app needs Electron, which is not installed here: \`npm install\` downloads its binary from GitHub as an optional dependency, and that download failed or was skipped (no network to github.com?).\nUse the web mode instead, which serves the same app to your browser: ${WEB_MODE}`,
    );
  }
  if (!fs.existsSync(binary))
    fail(
      `The Electron package is installed but its binary (${binary}) is missing: its download failed. Retry with \`npm install electron\` where github.com is reachable, or use the web mode: ${WEB_MODE}`,
    );
  const version = (JSON.parse(fs.readFileSync(require.resolve('electron/package.json'), 'utf8')) as { version: string })
    .version;
  return { binary, version };
}

/** better-sqlite3 compiled for this Electron version (once; kept in dist/electron-native/). */
async function sqliteForElectron(version: string): Promise<string> {
  const target = path.join(DIST, 'electron-native', `electron-${version}`, 'better_sqlite3.node');
  if (fs.existsSync(target)) return target;
  process.stderr.write(
    `Building better-sqlite3 for Electron ${version} (once; needs Electron's headers from the network)…\n`,
  );
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'ms-electron-native-'));
  try {
    const source = path.dirname(require.resolve('better-sqlite3/package.json'));
    fs.cpSync(source, path.join(work, 'node_modules', 'better-sqlite3'), {
      recursive: true,
      filter: (file) => !file.includes(`${path.sep}build${path.sep}`),
    });
    fs.writeFileSync(
      path.join(work, 'package.json'),
      JSON.stringify({ name: 'native', version: '1.0.0', dependencies: { 'better-sqlite3': '*' } }),
    );
    const { rebuild } = (await import('@electron/rebuild')) as {
      rebuild: (options: {
        buildPath: string;
        electronVersion: string;
        force: boolean;
        onlyModules: string[];
      }) => Promise<void>;
    };
    await rebuild({ buildPath: work, electronVersion: version, force: true, onlyModules: ['better-sqlite3'] });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(
      path.join(work, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'),
      target,
    );
    return target;
  } catch (error) {
    fail(
      `Could not build better-sqlite3 for Electron ${version}: ${(error as Error).message}\nThe web mode needs no such build: ${WEB_MODE}`,
    );
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

const { binary, version } = electronBinary();
await buildAll();
const binding = await sqliteForElectron(version);
const child = spawn(binary, [ROOT], {
  stdio: 'inherit',
  env: { ...process.env, MODALITY_STUDIO_SQLITE_BINDING: binding },
});
child.on('exit', (code) => process.exit(code ?? 0));
