import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Command } from 'commander';
import { EngineClient } from '../../process/engine-client';
import { ensureRendererBuilt } from '../../web/renderer-build';
import { createWebServer, newToken } from '../../web/web-server';
import { EXIT_USAGE, type CliContext } from '../context';
import { engineEnv } from '../follow-run';

const LOOPBACK = '127.0.0.1';

interface ServeOptions {
  port: string;
  host: string;
  db?: string;
  cacheDir?: string;
}

/**
 * `serve`: the app's UI in a browser, with the engine on this machine. Binds the loopback interface unless
 * told otherwise; every API request needs the printed token. Runs until Ctrl-C (or SIGTERM).
 */
export function registerServe(program: Command, context: CliContext): void {
  program
    .command('serve')
    .description('serve the app to a browser (local web mode): prints a URL with an access token')
    .option('--port <n>', 'port to listen on (0: any free port)', '7860')
    .option(
      '--host <address>',
      'address to bind; anything but 127.0.0.1 exposes the app (with its token) to other machines',
      LOOPBACK,
    )
    .option('--db <file>', 'run database (default: $MODALITY_STUDIO_DB, else runs.sqlite in the app data folder)')
    .option('--cache-dir <dir>', 'cache folder (default: the app cache, or $MODALITY_STUDIO_CACHE)')
    .action(async (options: ServeOptions) => {
      const port = Number(options.port);
      if (!Number.isInteger(port) || port < 0 || port > 65_535) {
        context.stderr.write(`--port must be a whole number from 0 to 65535; got "${options.port}".\n`);
        context.exitCode = EXIT_USAGE;
        return;
      }
      const staticDir = await ensureRendererBuilt((line) => context.stderr.write(`${line}\n`));
      const engine = EngineClient.start(
        engineEnv({
          db: options.db ? path.resolve(options.db) : undefined,
          cacheDir: options.cacheDir ? path.resolve(options.cacheDir) : undefined,
        }),
      );
      const token = newToken();
      const allowedHosts = [...new Set([options.host, LOOPBACK, 'localhost'])];
      const server = createWebServer({ engine, staticDir, token, allowedHosts });
      const listening = await new Promise<AddressInfo | Error>((resolve) => {
        server.once('error', resolve);
        server.listen(port, options.host, () => resolve(server.address() as AddressInfo));
      });
      if (listening instanceof Error) {
        const inUse = (listening as NodeJS.ErrnoException).code === 'EADDRINUSE';
        context.stderr.write(
          inUse
            ? `Port ${port} on ${options.host} is already in use; choose another with --port (or --port 0 for any free port).\n`
            : `Cannot listen on ${options.host}:${port}: ${listening.message}\n`,
        );
        await engine.close();
        context.exitCode = 1;
        return;
      }
      const shown = options.host.includes(':') ? `[${options.host}]` : options.host;
      context.stdout.write(`Modality Studio: http://${shown}:${listening.port}/?token=${token}\n`);
      if (options.host !== LOOPBACK)
        context.stderr.write(
          `Warning: listening on ${options.host}, not only this machine; anyone with the URL (and its token) can use the app.\n`,
        );
      else
        context.stderr.write(
          `From another machine: ssh -L ${listening.port}:127.0.0.1:${listening.port} THIS_HOST, then open the same URL there. Ctrl-C stops.\n`,
        );
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        void engine.exited.then(() => {
          context.stderr.write('The engine process stopped; the web mode stops too.\n');
          context.exitCode = 1;
          resolve();
        });
      });
      server.closeAllConnections();
      server.close();
      await engine.close();
    });
}
