import { Correlator } from '../../protocol/correlator';
import type { ParameterSlot } from './step-builder';
import { networkParameters, type NetworkStepSpec } from './network-layout';
import type { Inferred, NetworkStepLike, StepLoss, StepOptions } from './network-step-like';
import type {
  GpuAdapterDescription,
  MessageEnd,
  StepCommand,
  StepQuestion,
  StepReply,
  StepRequest,
} from './step-messages';

/**
 * A GPU on the other end of a message channel (step-server.ts; in the desktop app, the hidden GPU window):
 * it says which adapter it has, then makes compiled networks on request.
 */
export class RemoteGpu {
  readonly adapter: Promise<GpuAdapterDescription>;
  /** The adapter, once it has said hello. */
  described: GpuAdapterDescription | null = null;
  private nextStep = 1;
  private readonly calls = new Correlator();

  constructor(private readonly end: MessageEnd<StepReply, StepRequest>) {
    let hello: (adapter: GpuAdapterDescription) => void = () => undefined;
    let unavailable: (error: Error) => void = () => undefined;
    this.adapter = new Promise((resolve, reject) => {
      hello = resolve;
      unavailable = reject;
    });
    // Nobody may be waiting yet; the rejection is still the answer for whoever asks later.
    this.adapter.catch(() => undefined);
    end.listen((message) => {
      if (message.kind === 'hello') {
        this.described = message.adapter;
        hello(message.adapter);
        return;
      }
      if (message.kind === 'unavailable') {
        unavailable(new Error(message.reason));
        return;
      }
      if (message.ok) this.calls.answer(message.id, message.value);
      else this.calls.fail(message.id, new Error(`The GPU window: ${message.message}`));
    });
  }

  /** A compiled network of `spec` on the remote GPU. */
  async createStep(spec: NetworkStepSpec): Promise<NetworkStepLike> {
    const step = this.nextStep++;
    const dispatchCount = (await this.ask((id) => ({ kind: 'create', id, step, spec }))) as number;
    return new RemoteNetworkStep(this, step, spec, dispatchCount);
  }

  /** Resolves once the GPU side has applied every message sent before (e.g. the last networks' disposal). */
  async settled(): Promise<void> {
    await this.ask((id) => ({ kind: 'sync', id }));
  }

  send(message: StepRequest): void {
    this.end.post(message);
  }

  ask(message: (id: number) => StepRequest): Promise<unknown> {
    return this.calls.ask((id) => this.end.post(message(id)));
  }
}

/** The compiled network on the remote GPU, driven by messages; its parameter layout is computed here from the spec, as there. */
class RemoteNetworkStep implements NetworkStepLike {
  readonly slots: ParameterSlot[];
  readonly trainableSlots: ParameterSlot[];

  constructor(
    private readonly gpu: RemoteGpu,
    private readonly id: number,
    readonly spec: NetworkStepSpec,
    readonly dispatchCount: number,
  ) {
    this.slots = networkParameters(spec).slots;
    this.trainableSlots = this.slots.filter((s) => s.trainable);
  }

  private command(op: StepCommand, ...args: unknown[]): void {
    this.gpu.send({ kind: 'command', step: this.id, op, args });
  }

  private question<T>(op: StepQuestion, ...args: unknown[]): Promise<T> {
    return this.gpu.ask((id) => ({ kind: 'question', id, step: this.id, op, args })) as Promise<T>;
  }

  setWeights(weights: Float32Array[]): void {
    this.command('setWeights', weights);
  }

  getWeights(): Promise<Float32Array[]> {
    return this.question('getWeights');
  }

  getOptimizerState(): Promise<{ state: Float32Array[][]; steps: number }> {
    return this.question('getOptimizerState');
  }

  setOptimizerState(state: Float32Array[][], steps: number): void {
    this.command('setOptimizerState', state, steps);
  }

  uploadResident(inputs: Float32Array[], labels: Int32Array, teacherFeatures?: Float32Array): void {
    this.command('uploadResident', inputs, labels, teacherFeatures);
  }

  stepResident(positions: ArrayLike<number>, learningRate: number, options: StepOptions = {}): void {
    this.command('stepResident', Int32Array.from(positions), learningRate, options);
  }

  evaluateResident(positions: number[]): Promise<{ meanLoss: number; accuracy: number; samples: number }> {
    return this.question('evaluateResident', positions);
  }

  step(
    inputs: Float32Array[],
    labels: Int32Array,
    learningRate: number,
    teacherFeatures?: Float32Array,
    options: StepOptions = {},
  ): void {
    this.command('step', inputs, labels, learningRate, teacherFeatures, options);
  }

  takeLoss(): Promise<StepLoss> {
    return this.question('takeLoss');
  }

  infer(inputs: Float32Array[], count: number): Promise<Inferred> {
    return this.question('infer', inputs, count);
  }

  dispose(): void {
    this.command('dispose');
  }
}
