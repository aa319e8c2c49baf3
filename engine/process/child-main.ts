/**
 * Entry point of the engine process. Started by Electron's `utilityProcess.fork` (messages through
 * `process.parentPort`) or by Node's `child_process.fork` for the CLI and the web mode (`process.send`).
 * Settings come from the environment: MODALITY_STUDIO_DB, MODALITY_STUDIO_CACHE, MODALITY_STUDIO_HOME.
 */
import { defaultCacheDir } from '../data/cache/location';
import type { EngineMessage } from '../protocol/engine';
import { EngineService } from './engine-service';
import { RemoteGpu } from '../runtime/webgpu/remote-step';
import { attachRemoteGpu, expectRemoteGpu } from '../runtime/webgpu/remote-gpu-slot';
import type { MessageEnd, StepReply, StepRequest } from '../runtime/webgpu/step-messages';

/** Electron's MessagePortMain, as the GPU window's channel end arrives in this process. */
interface MessagePortMain {
  on(event: 'message', listener: (event: { data: unknown }) => void): void;
  postMessage(message: unknown): void;
  start(): void;
}

interface ParentPort {
  on(event: 'message', listener: (message: { data: unknown; ports?: MessagePortMain[] }) => void): void;
  postMessage(message: unknown): void;
}

const parentPort = (process as unknown as { parentPort?: ParentPort }).parentPort;
let unsent = 0;
const post = (message: EngineMessage) => {
  if (parentPort) {
    parentPort.postMessage(message);
    return;
  }
  if (!process.connected) return;
  unsent += 1;
  process.send?.(message, undefined, {}, () => {
    unsent -= 1;
  });
};

/** Waits (briefly) until the last messages, such as the cancelled run's run-ended, have left. */
async function flushed(): Promise<void> {
  for (let waited = 0; unsent > 0 && waited < 2000; waited += 10)
    await new Promise((resolve) => setTimeout(resolve, 10));
}
/**
 * The service. When the run database cannot be opened at start (a full disk, a damaged file), the service
 * opens it at each call that needs it instead: every such call says why, and once the disk has space again
 * (or the file is moved aside) the next call works, without restarting the web mode or the app.
 */
function startService(): Pick<EngineService, 'handle' | 'close'> {
  try {
    return new EngineService({ cacheDir: defaultCacheDir() }, post);
  } catch {
    return new EngineService({ cacheDir: defaultCacheDir(), store: 'lazy' }, post);
  }
}
const service = startService();

/**
 * The desktop app's GPU window: main sends its channel end once, and the webgpu backend trains the compiled
 * networks there (engine/runtime/webgpu/step-maker.ts).
 */
function attachGpuWindow(port: MessagePortMain): void {
  const end: MessageEnd<StepReply, StepRequest> = {
    post: (message) => port.postMessage(message),
    listen: (handler) => port.on('message', ({ data }) => handler(data as StepReply)),
  };
  attachRemoteGpu(new RemoteGpu(end));
  port.start();
}

if (parentPort) {
  // Electron's utility process: main opens the GPU window and sends its channel end, unless told not to.
  if (!process.env.MODALITY_STUDIO_NO_GPU_WINDOW) expectRemoteGpu();
  parentPort.on('message', ({ data, ports }) => {
    const port = ports?.[0];
    if ((data as { kind?: unknown } | null)?.kind === 'gpu-port' && port) attachGpuWindow(port);
    else void service.handle(data);
  });
} else process.on('message', (message) => void service.handle(message));

// The host went away or asked us to stop (runs cancel sends SIGTERM): cancel the active run, record it, exit.
const shutdown = () => {
  void service
    .close()
    .then(flushed)
    .finally(() => process.exit(0));
};
process.on('disconnect', shutdown);
process.on('SIGTERM', shutdown);
// Ctrl-C in a terminal reaches the whole process group, this process included: cancel cleanly too.
process.on('SIGINT', shutdown);
post({ kind: 'ready' });
