import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { EpochMetrics, PhaseRef } from '../protocol/run';
import { makeFolder } from '../util/folders';
import { storageReason } from '../util/fs-errors';
import { weightSpecBytes } from '../util/weight-bytes';
import { AppError } from '../protocol/errors';

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

/** A checkpoint file that cannot be read back (cut short by a full disk, edited, written by another version). */
export class DamagedCheckpointError extends Error {
  constructor(
    readonly file: string,
    why: string,
  ) {
    super(`The checkpoint ${file} is damaged (${why})`);
  }
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
export function folderCheckpoints(
  root: string,
  firstSeed: number,
  onSaved?: (phase: PhaseRef, file: string, epoch: number) => void,
): CheckpointStore {
  return {
    forPhase(phase) {
      // The first seed's files keep the names they had before runs had several seeds, so those runs resume.
      const seed = phase.seed !== undefined && phase.seed !== firstSeed ? `seed${phase.seed}` : '';
      const file = path.join(
        root,
        `${[phase.phase, phase.modality, phase.model, seed]
          .filter(Boolean)
          .join('-')
          .replace(/[^A-Za-z0-9_-]/g, '_')}.ckpt`,
      );
      return {
        async load() {
          let bytes: Buffer;
          try {
            bytes = fs.readFileSync(file);
          } catch {
            return null;
          }
          return decodeCheckpoint(bytes, file);
        },
        async save(state) {
          const named = [
            ...state.weights.map((tensor, i) => ({ name: `weight/${i}`, tensor })),
            ...state.bestWeights.map((tensor, i) => ({ name: `best/${i}`, tensor })),
            ...state.optimizer.map(({ name, tensor }) => ({ name: `optimizer/${name}`, tensor })),
          ];
          const { data, specs } = await tf.io.encodeWeights(named);
          const { weights, bestWeights, optimizer, ...rest } = state;
          const meta: StateFile = {
            ...rest,
            version: 1,
            specs,
            counts: { weights: weights.length, bestWeights: bestWeights.length, optimizer: optimizer.length },
          };
          const header = Buffer.from(JSON.stringify(meta), 'utf8');
          const length = Buffer.alloc(4);
          length.writeUInt32LE(header.length, 0);
          const temp = `${file}.tmp-${process.pid}`;
          try {
            makeFolder(root);
            fs.writeFileSync(temp, Buffer.concat([length, header, Buffer.from(tf.io.CompositeArrayBuffer.join(data))]));
            fs.renameSync(temp, file);
          } catch (error) {
            fs.rmSync(temp, { force: true });
            const reason = storageReason(error);
            if (!reason) throw error;
            throw new AppError(
              'output',
              `The checkpoint ${file} could not be written: ${reason}. The epochs recorded so far are kept; free space there and resume the run (runs resume RUN_ID).`,
            );
          }
          onSaved?.(phase, file, state.epoch);
        },
      };
    },
  };
}

/** A checkpoint file's state, every length checked against the bytes there are before anything is decoded. */
function decodeCheckpoint(bytes: Buffer, file: string): FitState {
  const damaged = (why: string) => new DamagedCheckpointError(file, why);
  if (bytes.length < 4) throw damaged(`it holds ${bytes.length} bytes, less than its 4-byte header length`);
  const headerLength = bytes.readUInt32LE(0);
  if (headerLength > bytes.length - 4)
    throw damaged(`its header says ${headerLength} bytes, but only ${bytes.length - 4} follow`);
  let meta: StateFile;
  try {
    meta = JSON.parse(bytes.subarray(4, 4 + headerLength).toString('utf8')) as StateFile;
  } catch (error) {
    throw damaged(`its header is not JSON: ${(error as Error).message}`);
  }
  const specs = meta?.specs;
  const counts = meta?.counts;
  const wellFormed =
    meta?.version === 1 &&
    Array.isArray(specs) &&
    Array.isArray(meta.history) &&
    Number.isInteger(meta.epoch) &&
    typeof meta.done === 'boolean' &&
    typeof meta.randomState === 'number' &&
    typeof meta.schedule?.rate === 'number' &&
    typeof meta.stoppedEarly === 'boolean' &&
    (meta.best === null || typeof meta.best?.accuracy === 'number') &&
    [counts?.weights, counts?.bestWeights, counts?.optimizer].every((n) => Number.isInteger(n) && (n as number) >= 0) &&
    specs.every((spec) => typeof spec?.name === 'string');
  if (!wellFormed) throw damaged('its header is not a whole version 1 checkpoint');
  const data = bytes.subarray(4 + headerLength);
  const expected = weightSpecBytes(specs);
  if (expected !== data.length)
    throw damaged(`its header describes ${expected} bytes of tensors, but ${data.length} follow`);
  const { weights: w, bestWeights: b, optimizer: o } = counts;
  if (w + b + o !== specs.length) throw damaged(`its header counts ${w + b + o} tensors but describes ${specs.length}`);
  const named = tf.io.decodeWeights(
    data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer,
    specs,
  );
  const tensors = specs.map((spec) => named[spec.name] as tf.Tensor);
  const { version: _version, specs: _specs, counts: _counts, ...rest } = meta;
  return {
    ...rest,
    weights: tensors.slice(0, w),
    bestWeights: tensors.slice(w, w + b),
    optimizer: specs
      .slice(w + b)
      .map((spec, i) => ({ name: spec.name.replace(/^optimizer\//, ''), tensor: tensors[w + b + i] as tf.Tensor })),
  };
}
