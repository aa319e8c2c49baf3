import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { build } from 'esbuild';
import { chromium } from 'playwright-core';
import { afterAll, describe, expect, it } from 'vitest';
import { webgpuForTests, WEBGPU_REQUIRED } from './helpers/webgpu-adapter';
import { CHROMIUM } from './helpers/browser';
import { makeTempDir } from './helpers/dataset-folder';
import { runFixedProblem } from './helpers/webgpu-steps';

/**
 * The compiled WebGPU step is written against the standard WebGPU API with the device injected, so the
 * desktop app can run it on Chromium's `navigator.gpu`: the same code, bundled into a page of Debian's
 * Chromium (SwiftShader's WebGPU), gives the losses and weights it gives on Dawn in Node. Skipped where
 * there is no Dawn adapter or no Chromium, except in CI (MODALITY_STUDIO_REQUIRE_WEBGPU=1).
 */
const gpu = await webgpuForTests();
const usable = gpu !== null && (fs.existsSync(CHROMIUM) || WEBGPU_REQUIRED);
const profile = makeTempDir('webgpu-chromium');
afterAll(() => fs.rmSync(profile, { recursive: true, force: true }));

describe.skipIf(!usable)('the compiled WebGPU step in Chromium', () => {
  it("gives the losses and weights it gives on Dawn in Node (1e-4), also as the desktop app's GPU window page across a channel", async () => {
    const bundle = await build({
      entryPoints: [path.join(import.meta.dirname, 'helpers', 'webgpu-page-entry.ts')],
      bundle: true,
      write: false,
      format: 'iife',
      target: 'es2022',
    });
    const script = bundle.outputFiles[0]!.text;
    // WebGPU needs a secure context: a page from http://127.0.0.1, not about:blank.
    const server = http.createServer((request, response) => {
      if (request.url === '/step.js') response.writeHead(200, { 'content-type': 'text/javascript' }).end(script);
      else
        response.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><script src="/step.js"></script>');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--enable-unsafe-webgpu', '--disable-dev-shm-usage', '--no-first-run'],
    });
    try {
      const page = context.pages()[0] ?? (await context.newPage());
      await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
      const inChromium = await page.evaluate(
        (seed) =>
          (
            window as unknown as {
              runFixedProblem(seed: number): Promise<{ losses: number[]; weights: number[][]; adapter: string }>;
            }
          ).runFixedProblem(seed),
        7,
      );
      const device = await gpu!.adapter.requestDevice();
      const inNode = await runFixedProblem(device, 7);
      device.destroy();
      expect(inChromium.adapter, "Chromium's adapter").not.toBe('');
      if (process.env.MODALITY_STUDIO_SHOW_ADAPTER) process.stderr.write(`Chromium adapter: ${inChromium.adapter}\n`);
      expect(inChromium.losses).toHaveLength(3);
      inChromium.losses.forEach((loss, i) =>
        expect(Math.abs(loss - inNode.losses[i]!) / Math.abs(inNode.losses[i]!), `step ${i}`).toBeLessThan(1e-4),
      );
      inChromium.weights.forEach((w, k) =>
        w.forEach((value, i) => expect(Math.abs(value - inNode.weights[k]![i]!)).toBeLessThan(1e-4)),
      );
      // Training moved the weights.
      expect(inNode.losses[0]).not.toBe(inNode.losses[2]);
      // The desktop app's GPU window page, driven across a channel as the engine drives it: the same numbers.
      const throughWindow = await page.evaluate(
        (seed) =>
          (
            window as unknown as {
              runFixedProblemThroughGpuWindow(
                seed: number,
              ): Promise<{ losses: number[]; weights: number[][]; adapter: string }>;
            }
          ).runFixedProblemThroughGpuWindow(seed),
        7,
      );
      expect(throughWindow.adapter).toBe(inChromium.adapter);
      throughWindow.losses.forEach((loss, i) =>
        expect(Math.abs(loss - inNode.losses[i]!) / Math.abs(inNode.losses[i]!), `GPU window, step ${i}`).toBeLessThan(
          1e-4,
        ),
      );
      throughWindow.weights.forEach((w, k) =>
        w.forEach((value, i) => expect(Math.abs(value - inNode.weights[k]![i]!)).toBeLessThan(1e-4)),
      );
    } finally {
      await context.close();
      server.close();
    }
  }, 120_000);
});
