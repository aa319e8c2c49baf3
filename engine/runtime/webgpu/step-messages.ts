import type { NetworkStepSpec } from './network-layout';
import type { NetworkStepLike } from './network-step-like';

/**
 * The protocol between the engine and a GPU it does not hold (the desktop app: the engine runs in Electron's
 * utility process, WebGPU in a hidden window's Chromium). It is the compiled network's own interface, one
 * message per call: a training step is one small message (the batch's positions and the learning rate), so
 * the hop costs far less than the per-op overhead the compiled step removes.
 */

/** Calls without a result: sent and forgotten, applied in order. */
export type StepCommand = 'setWeights' | 'setOptimizerState' | 'uploadResident' | 'stepResident' | 'step' | 'dispose';
/** Calls with a result. */
export type StepQuestion = 'getWeights' | 'getOptimizerState' | 'evaluateResident' | 'takeLoss' | 'infer';

export type StepRequest =
  | { kind: 'create'; id: number; step: number; spec: NetworkStepSpec }
  | { kind: 'command'; step: number; op: StepCommand; args: unknown[] }
  | { kind: 'question'; id: number; step: number; op: StepQuestion; args: unknown[] }
  /** Answered once every message before it has been applied (commands are sent and forgotten: a dispose included). */
  | { kind: 'sync'; id: number };

export interface GpuAdapterDescription {
  vendor: string;
  architecture: string;
  description: string;
  software?: boolean;
  /** The device's limit on one storage binding: whether a split fits on the GPU whole (compiled-trainer.ts). */
  maxStorageBufferBindingSize: number;
}

export type StepReply =
  | { kind: 'hello'; adapter: GpuAdapterDescription }
  /** The GPU side has no WebGPU (no adapter, or WebGPU switched off): why, in a few words. */
  | { kind: 'unavailable'; reason: string }
  | { kind: 'answer'; id: number; ok: true; value: unknown }
  | { kind: 'answer'; id: number; ok: false; message: string };

/** A message channel's end, whatever carries it (Node's worker_threads, Electron's MessagePortMain, a page's MessagePort). */
export interface MessageEnd<In, Out> {
  post(message: Out): void;
  listen(handler: (message: In) => void): void;
}

/** The methods each message names, checked against the interface so a renamed method breaks the build here. */
export const STEP_COMMANDS: readonly StepCommand[] = [
  'setWeights',
  'setOptimizerState',
  'uploadResident',
  'stepResident',
  'step',
  'dispose',
] satisfies (keyof NetworkStepLike)[];
export const STEP_QUESTIONS: readonly StepQuestion[] = [
  'getWeights',
  'getOptimizerState',
  'evaluateResident',
  'takeLoss',
  'infer',
] satisfies (keyof NetworkStepLike)[];
