import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { EpochMetrics, PhaseRef } from '../protocol/run';
import { makeFolder } from '../util/folders';

/** Everything `fit` needs to continue a phase exactly where it stopped (same numbers as an unbroken run). */
export interface FitState {
  /** Epochs finished. */
  epoch: number;
  /** The phase finished: `weights` are its final (best) weights and nothing is left to train. */
  done: boolean;
  history: EpochMetrics[];
  randomState: number;
  schedule: { rate: number; best: number | null; badEpochs: number };
  best: { accuracy: number; epoch: number } | null;
  stoppedEarly: boolean;
  /** Model weights (`model.getWeights()` order), the best snapshot, and the optimizer's state. */
  weights: tf.Tensor[];
  bestWeights: tf.Tensor[];
  optimizer: { name: string; tensor: tf.Tensor }[];
  /** Adam's running β powers, kept exactly: tfjs's setWeights recomputes them with pow(), which rounds differently. */
  optimizerScalars: Record<string, number>;
}

/** Saves and loads one phase's {@link FitState}. */
export interface PhaseCheckpoint {
  load(): Promise<FitState | null>;
  save(state: FitState): Promise<void>;
}

export interface CheckpointStore {
  forPhase(phase: PhaseRef): PhaseCheckpoint;
}

interface StateFile extends Omit<FitState, 'weights' | 'bestWeights' | 'optimizer'> {
  version: 1;
  specs: tf.io.WeightsManifestEntry[];
  counts: { weights: number; bestWeights: number; optimizer: number };
}

/**
 * Checkpoints in a folder, one file per phase: a length-prefixed JSON header followed by the tensor bytes,
 * written to a temporary file and renamed, so a process killed mid-write leaves the previous checkpoint
 * whole.
 */
export function folderCheckpoints(root: string, firstSeed: number, onSaved?: (phase: PhaseRef, file: string, epoch: number) => void): CheckpointStore {
  return {
    forPhase(phase) {
      // The first seed's files keep the names they had before runs had several seeds, so those runs resume.
      const seed = phase.seed !== undefined && phase.seed !== firstSeed ? `seed${phase.seed}` : '';
      const file = path.join(root, `${[phase.phase, phase.modality, phase.model, seed].filter(Boolean).join('-').replace(/[^A-Za-z0-9_-]/g, '_')}.ckpt`);
      return {
        async load() {
          let bytes: Buffer;
          try {
            bytes = fs.readFileSync(file);
          } catch {
            return null;
          }
          const headerLength = bytes.readUInt32LE(0);
          const meta = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as StateFile;
          const data = bytes.subarray(4 + headerLength);
          const named = tf.io.decodeWeights(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer, meta.specs);
          const tensors = meta.specs.map((spec) => named[spec.name] as tf.Tensor);
          const { weights: w, bestWeights: b } = meta.counts;
          const { version: _version, specs: _specs, counts: _counts, ...rest } = meta;
          return {
            ...rest,
            weights: tensors.slice(0, w),
            bestWeights: tensors.slice(w, w + b),
            optimizer: meta.specs.slice(w + b).map((spec, i) => ({ name: spec.name.replace(/^optimizer\//, ''), tensor: tensors[w + b + i] as tf.Tensor })),
          };
        },
        async save(state) {
          const named = [
            ...state.weights.map((tensor, i) => ({ name: `weight/${i}`, tensor })),
            ...state.bestWeights.map((tensor, i) => ({ name: `best/${i}`, tensor })),
            ...state.optimizer.map(({ name, tensor }) => ({ name: `optimizer/${name}`, tensor })),
          ];
          const { data, specs } = await tf.io.encodeWeights(named);
          const { weights, bestWeights, optimizer, ...rest } = state;
          const meta: StateFile = { ...rest, version: 1, specs, counts: { weights: weights.length, bestWeights: bestWeights.length, optimizer: optimizer.length } };
          const header = Buffer.from(JSON.stringify(meta), 'utf8');
          const length = Buffer.alloc(4);
          length.writeUInt32LE(header.length, 0);
          makeFolder(root);
          const temp = `${file}.tmp-${process.pid}`;
          fs.writeFileSync(temp, Buffer.concat([length, header, Buffer.from(tf.io.CompositeArrayBuffer.join(data))]));
          fs.renameSync(temp, file);
          onSaved?.(phase, file, state.epoch);
        },
      };
    },
  };
}
