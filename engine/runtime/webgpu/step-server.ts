import { contextFor } from './gpu-context';
import { CompiledNetworkStep } from './network-step';
import {
  STEP_COMMANDS,
  STEP_QUESTIONS,
  type GpuAdapterDescription,
  type MessageEnd,
  type StepReply,
  type StepRequest,
} from './step-messages';

type Method = (...args: unknown[]) => unknown;

/**
 * The GPU side of step-messages.ts: compiled networks on `device` (in the desktop app, Chromium's
 * `navigator.gpu` in the hidden GPU window), made and driven by the engine's messages. A command that fails
 * is reported by the next question about the same network, so no failure passes unseen.
 */
export function serveNetworkSteps(
  device: GPUDevice,
  adapter: GpuAdapterDescription,
  end: MessageEnd<StepRequest, StepReply>,
): void {
  const steps = new Map<number, CompiledNetworkStep>();
  const failures = new Map<number, string>();
  const call = (step: number, op: string, args: unknown[]) => {
    const network = steps.get(step);
    if (!network) throw new Error(`There is no compiled network ${step} on the GPU side (disposed, or never made).`);
    return ((network as unknown as Record<string, Method>)[op] as Method).apply(network, args);
  };
  // Questions are answered in the order they came, as commands are applied: each waits for the one before.
  let previous: Promise<unknown> = Promise.resolve();
  end.listen((message) => {
    previous = previous.then(async () => {
      if (message.kind === 'create') {
        try {
          const network = new CompiledNetworkStep(contextFor(device), message.spec);
          steps.set(message.step, network);
          end.post({ kind: 'answer', id: message.id, ok: true, value: network.dispatchCount });
        } catch (error) {
          end.post({ kind: 'answer', id: message.id, ok: false, message: (error as Error).message });
        }
      } else if (message.kind === 'command' && STEP_COMMANDS.includes(message.op)) {
        try {
          call(message.step, message.op, message.args);
          if (message.op === 'dispose') steps.delete(message.step);
        } catch (error) {
          if (!failures.has(message.step)) failures.set(message.step, `${message.op}: ${(error as Error).message}`);
        }
      } else if (message.kind === 'sync') {
        end.post({ kind: 'answer', id: message.id, ok: true, value: null });
      } else if (message.kind === 'question' && STEP_QUESTIONS.includes(message.op)) {
        const failed = failures.get(message.step);
        failures.delete(message.step);
        try {
          if (failed) throw new Error(failed);
          end.post({
            kind: 'answer',
            id: message.id,
            ok: true,
            value: await call(message.step, message.op, message.args),
          });
        } catch (error) {
          end.post({ kind: 'answer', id: message.id, ok: false, message: (error as Error).message });
        }
      }
    });
  });
  end.post({ kind: 'hello', adapter });
}
