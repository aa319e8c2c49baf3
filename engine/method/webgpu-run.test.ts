import * as tf from '@tensorflow/tfjs';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/dataset-folder';
import { findBuiltin, materializeBuiltin } from '../data/builtin/registry';
import { prepareDataset } from '../data/prepare';
import type { RunConfig, RunEvent, RunResult } from '../protocol/run';
import { webgpuForTests } from '../../test/helpers/webgpu-adapter';
import { folderCheckpoints } from '../train/checkpoint';
import { runPipeline } from './pipeline';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { contextFor } from '../runtime/webgpu/gpu-context';
import { RemoteGpu } from '../runtime/webgpu/remote-step';
import { attachRemoteGpu } from '../runtime/webgpu/remote-gpu-slot';
import type { MessageEnd } from '../runtime/webgpu/step-messages';
import { serveNetworkSteps } from '../runtime/webgpu/step-server';
import { webgpuDevice } from '../runtime/webgpu/webgpu-device';

/** Skipped without a WebGPU adapter; CI (MODALITY_STUDIO_REQUIRE_WEBGPU=1, Mesa 25's lavapipe) must have one. */
const gpu = await webgpuForTests();
const cacheDir = makeTempDir('webgpu-run');
afterAll(() => fs.rmSync(cacheDir, { recursive: true, force: true }));

async function run(
  backend: 'webgpu' | 'wasm',
  events: RunEvent[] = [],
  resume?: { dir: string; abortAfterBatches?: number },
  config: Partial<RunConfig> = {},
): Promise<RunResult> {
  const dir = await materializeBuiltin(findBuiltin('synthetic-mixed')!, cacheDir);
  const { dataset } = await prepareDataset(dir, { cacheDir });
  const controller = new AbortController();
  let batches = 0;
  try {
    const { result, models } = await runPipeline(
      dataset!,
      { backend, seed: 2, epochs: 2, teacherEpochs: 2, probeEpochs: 2, bootstrapSamples: 200, ...config },
      {
        signal: controller.signal,
        ...(resume ? { checkpoints: folderCheckpoints(resume.dir, 2) } : {}),
        emit: (e) => {
          events.push(e);
          if (e.type === 'batch' && ++batches === resume?.abortAfterBatches) controller.abort();
        },
      },
    );
    models.dispose();
    return result;
  } finally {
    dataset!.reader.close();
  }
}

describe.skipIf(gpu === null)('a run on the webgpu backend', () => {
  it('trains teachers, late fusion and UMT on the compiled step and agrees with wasm: same decision, accuracies within 1 pt', async () => {
    const events: RunEvent[] = [];
    const results: RunResult[] = [];
    const profile = await tf.profile(async () => {
      results.push(await run('webgpu', events));
    });
    const onGpu = results[0]!;
    // Nothing of the run goes through tfjs's WebGPU kernels (~0.35 ms of host time each on a real GPU,
    // ../shared/gpu/DEVICE.md) but the snapshots of the best epoch's weights (Identity): on wasm the same run
    // takes ~100,000 kernels.
    expect(profile.kernels.filter((k) => k.name !== 'Identity').map((k) => k.name)).toEqual([]);
    // Every buffer of every compiled step and inference of the run was destroyed: GPU memory is not garbage collected, so they are counted.
    expect(contextFor(webgpuDevice()!).liveBuffers).toBe(0);
    const onWasm = await run('wasm', []);
    const compiled = events.flatMap((e) =>
      e.type === 'log' && e.message.includes('compiled WebGPU step') ? [e.message.split(':')[0]] : [],
    );
    expect(compiled).toEqual(expect.arrayContaining(['teacher a', 'teacher b', 'late-fusion', 'umt', 'decision']));
    // The linear probes (paper 3.1) of the teachers and fused encoders train there too.
    expect(compiled.filter((name) => name?.startsWith('probe ')).length).toBeGreaterThan(0);
    // The training and validation splits stay on the GPU: a step sends only its batch's indices, and the
    // validation split is evaluated by the compiled network.
    expect(
      events
        .filter((e) => e.type === 'log' && e.message.includes('compiled WebGPU step'))
        .every((e) => e.type === 'log' && e.message.includes('validation evaluated there')),
    ).toBe(true);
    expect(onGpu.backend.adapter).toBeDefined();
    expect(onGpu.decision.method).toBe(onWasm.decision.method);
    for (const [id, candidate] of Object.entries(onWasm.candidates)) {
      expect(Math.abs(onGpu.candidates[id]!.test.mean - candidate.test.mean), id).toBeLessThanOrEqual(0.01);
      expect(Math.abs(onGpu.candidates[id]!.val.mean - candidate.val.mean), id).toBeLessThanOrEqual(0.01);
    }
  }, 300_000);

  it("trains Auxiliary-CE, G-Blending (auxiliary heads, weighted cross-entropies), modality dropout and OGM-GE on the compiled step, with wasm's accuracies within 1 pt", async () => {
    const config: Partial<RunConfig> = {
      methods: ['aux-ce', 'g-blending', 'modality-dropout', 'ogm-ge'],
      gBlendEpochs: 2,
    };
    const events: RunEvent[] = [];
    const onGpu = await run('webgpu', events, undefined, config);
    const onWasm = await run('wasm', [], undefined, config);
    const compiled = events.flatMap((e) =>
      e.type === 'log' && e.message.includes('compiled WebGPU step') ? [e.message.split(':')[0]] : [],
    );
    expect(compiled).toEqual(expect.arrayContaining(['aux-ce', 'g-blending', 'modality-dropout', 'ogm-ge']));
    for (const id of ['aux-ce', 'g-blending', 'modality-dropout', 'ogm-ge']) {
      expect(Math.abs(onGpu.candidates[id]!.val.mean - onWasm.candidates[id]!.val.mean), id).toBeLessThanOrEqual(0.01);
      expect(Math.abs(onGpu.candidates[id]!.test.mean - onWasm.candidates[id]!.test.mean), id).toBeLessThanOrEqual(
        0.01,
      );
    }
  }, 300_000);

  it('resumes a run interrupted inside a compiled phase with the numbers of an unbroken run (Adam state through the checkpoint)', async () => {
    const unbroken = await run('webgpu', [], { dir: path.join(cacheDir, 'unbroken') });
    const broken = path.join(cacheDir, 'broken');
    // Each teacher trains 2 epochs of 33 batches (2,100 training samples): batch 124 is in the second teacher's second epoch.
    await expect(run('webgpu', [], { dir: broken, abortAfterBatches: 124 })).rejects.toMatchObject({ code: 'aborted' });
    const resumed = await run('webgpu', [], { dir: broken });
    const scores = (r: RunResult) => Object.values(r.candidates).map(({ trainingMs: _time, ...rest }) => rest);
    expect(scores(resumed)).toEqual(scores(unbroken));
  }, 300_000);
});

describe.skipIf(gpu === null)('a run on the webgpu backend of the desktop app (the GPU in another window)', () => {
  it('trains its compiled phases on the GPU across the message channel, the rest on wasm, with the numbers of a run here', async () => {
    const channel = new MessageChannel();
    const end = <In, Out>(port: MessagePort): MessageEnd<In, Out> => ({
      post: (message) => port.postMessage(message),
      listen: (handler) => port.on('message', handler),
    });
    // The GPU window's side, here on Dawn's device (in the app, Chromium's navigator.gpu).
    const device = await gpu!.adapter.requestDevice();
    serveNetworkSteps(
      device,
      { ...gpu!.info, maxStorageBufferBindingSize: device.limits.maxStorageBufferBindingSize },
      end(channel.port2),
    );
    const remoteGpu = new RemoteGpu(end(channel.port1));
    attachRemoteGpu(remoteGpu);
    try {
      const onWasm = await run('wasm');
      const events: RunEvent[] = [];
      const remote = await run('webgpu', events);
      expect(remote.backend).toMatchObject({
        name: 'webgpu',
        tfBackend: 'wasm',
        adapter: { description: gpu!.info.description },
      });
      const compiled = events.flatMap((e) =>
        e.type === 'log' && e.message.includes('compiled WebGPU step') ? [e.message.split(':')[0]] : [],
      );
      expect(compiled).toEqual(expect.arrayContaining(['teacher a', 'teacher b', 'late-fusion', 'umt']));
      expect(remote.decision.method).toBe(onWasm.decision.method);
      for (const [id, candidate] of Object.entries(onWasm.candidates))
        expect(Math.abs(remote.candidates[id]!.test.mean - candidate.test.mean), id).toBeLessThanOrEqual(0.01);
      // Disposal is a command, sent and forgotten: count once the GPU side has applied every message.
      await remoteGpu.settled();
      expect(contextFor(device).liveBuffers).toBe(0);
    } finally {
      attachRemoteGpu(null);
      channel.port1.close();
      device.destroy();
    }
  }, 300_000);
});
