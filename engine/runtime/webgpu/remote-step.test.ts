import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { webgpuForTests } from '../../../test/helpers/webgpu-adapter';
import { SeededRandom } from '../../util/random';
import { contextFor } from './gpu-context';
import { CompiledNetworkStep } from './network-step';
import { networkParameters, type NetworkStepSpec } from './network-layout';
import type { NetworkStepLike } from './network-step-like';
import { RemoteGpu } from './remote-step';
import type { MessageEnd } from './step-messages';
import { serveNetworkSteps } from './step-server';

/** Skipped without a WebGPU adapter; CI (MODALITY_STUDIO_REQUIRE_WEBGPU=1, Mesa 25's lavapipe) must have one. */
const gpu = await webgpuForTests();
const device = gpu ? await gpu.adapter.requestDevice() : null;
const channel = new MessageChannel();
afterAll(() => {
  channel.port1.close();
  device?.destroy();
});

function end<In, Out>(port: MessagePort): MessageEnd<In, Out> {
  return { post: (message) => port.postMessage(message), listen: (handler) => port.on('message', handler) };
}

/** The same calls on a network, returning everything they read back. */
async function drive(step: NetworkStepLike, spec: NetworkStepSpec) {
  const random = new SeededRandom(9);
  const samples = 40;
  const image = spec.encoders[0]!;
  const words = image.kind === 'conv' ? image.height * image.width * image.channels : 0;
  const inputs = [
    Float32Array.from({ length: samples * words }, () => random.next() * 2 - 1),
    Float32Array.from({ length: samples * 4 }, () => random.next()),
  ];
  step.setWeights(
    networkParameters(spec).slots.map((s) =>
      Float32Array.from({ length: s.size }, () => (s.name.includes('moving_variance') ? 1 : random.next() - 0.5)),
    ),
  );
  step.uploadResident(
    inputs,
    Int32Array.from({ length: samples }, (_, i) => i % spec.classes),
  );
  const losses = [];
  for (let epoch = 0; epoch < 2; epoch += 1) {
    for (let b = 0; b < 4; b += 1)
      step.stepResident(
        Array.from({ length: b === 3 ? 5 : 8 }, (_, i) => (epoch * 7 + b * 8 + i) % 32),
        0.01,
      );
    losses.push(await step.takeLoss());
  }
  return {
    losses,
    evaluation: await step.evaluateResident(Array.from({ length: 8 }, (_, i) => 32 + i)),
    weights: await step.getWeights(),
    optimizer: await step.getOptimizerState(),
  };
}

describe.skipIf(device === null)(
  "a compiled network on a GPU across a message channel (the desktop app's GPU window)",
  () => {
    const spec: NetworkStepSpec = {
      batch: 8,
      classes: 3,
      encoders: [
        {
          kind: 'conv',
          height: 5,
          width: 4,
          channels: 1,
          blocks: [
            { filters: 3, pool: true },
            { filters: 2, pool: false },
          ],
          featureDim: 4,
          epsilon: 1e-3,
          momentum: 0.9,
        },
        { inputDim: 4, hidden: [5] },
      ],
      residentSamples: 40,
    };

    it('trains, evaluates and reads back exactly what the same network gives in this process, and names the adapter', async () => {
      serveNetworkSteps(
        device!,
        { ...gpu!.info, maxStorageBufferBindingSize: device!.limits.maxStorageBufferBindingSize },
        end(channel.port2),
      );
      const remote = new RemoteGpu(end(channel.port1));
      expect((await remote.adapter).description).toBe(gpu!.info.description);
      const there = await remote.createStep(spec);
      const here = new CompiledNetworkStep(contextFor(device!), spec);
      expect(there.dispatchCount).toBe(here.dispatchCount);
      expect(there.slots).toEqual(here.slots);
      const [viaChannel, local] = [await drive(there, spec), await drive(here, spec)];
      expect(viaChannel).toEqual(local);
      expect(viaChannel.losses[1]!.steps).toBe(4);
      here.dispose();
      const withRemote = contextFor(device!).liveBuffers;
      there.dispose();
      // Disposal is sent and forgotten; once the GPU side has applied it, the remote network's buffers are gone.
      await remote.settled();
      expect(withRemote).toBeGreaterThan(0);
      expect(contextFor(device!).liveBuffers).toBe(0);
    }, 60_000);

    it('reports a command that failed on the GPU side at the next question about that network', async () => {
      const remote = new RemoteGpu(end(channel.port1));
      const there = await remote.createStep({ ...spec, residentSamples: undefined } as NetworkStepSpec);
      there.stepResident([0, 1], 0.01); // compiled without resident data
      await expect(there.takeLoss()).rejects.toThrow(
        /GPU window: stepResident: This step was compiled without resident data/,
      );
      // The failure is reported once; the network still answers.
      await expect(there.takeLoss()).resolves.toMatchObject({ steps: 0 });
      there.dispose();
      await expect(there.getWeights()).rejects.toThrow(/no compiled network/);
    }, 60_000);
  },
);
