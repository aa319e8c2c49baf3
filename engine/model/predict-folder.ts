import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { applyNormalization } from '../data/cache/normalize';
import { decodeCell, sampleSize } from '../data/decode';
import { DatasetError, describeSample, IssueLog } from '../data/issues';
import { readManifest } from '../data/manifest/read';
import type { ManifestSample } from '../data/manifest/types';
import { realDatasetFolder } from '../data/paths';
import { corruptCode } from '../data/decode-sample';
import { locateFile } from '../data/probe';
import type { Prediction, PredictionReport } from '../protocol/predict';
import type { BackendChoice } from '../protocol/run';
import { selectBackend } from '../runtime/backends/select-backend';
import { applyModel } from '../train/models/networks';
import { readCard, type ModelCard } from './model-card';
import { loadCardNetworks, type LoadedNetwork } from './load-model';

const CHUNK = 256;

/**
 * Classifies every sample of a dataset folder (labels optional) with a saved model: each sample is decoded
 * with the model card's rules and normalised with the training statistics, so new data is seen exactly as
 * the training data was. Samples that cannot be decoded are reported, the others still predicted.
 */
export async function predictFolder(
  modelDir: string,
  datasetDir: string,
  backend: BackendChoice = 'auto',
): Promise<PredictionReport> {
  const card = readCard(modelDir);
  await selectBackend(backend);
  const networks = await loadCardNetworks(modelDir, card);
  const log = new IssueLog();
  const predictions: Prediction[] = [];
  try {
    const root = realDatasetFolder(path.resolve(datasetDir));
    const manifest = readManifest(root, { requireLabels: false }, log);
    const present = new Set(manifest.modalities.map((m) => m.name));
    const missing = card.modalities.filter((m) => !present.has(m.name)).map((m) => m.name);
    if (missing.length > 0) {
      log.error({
        code: 'bad-column',
        file: manifest.file,
        message: `${manifest.file} has no modality ${missing.map((m) => `"${m}"`).join(', ')}, which the model was trained on (it needs ${card.modalities.map((m) => `"${m.name}"`).join(', ')}).`,
      });
    } else {
      for (let start = 0; start < manifest.samples.length; start += CHUNK) {
        const decoded = await decodeChunk(root, manifest.samples.slice(start, start + CHUNK), card, log);
        if (decoded.samples.length > 0) predictions.push(...predictChunk(card, networks, decoded));
      }
    }
  } catch (error) {
    if (!(error instanceof DatasetError)) throw error;
    log.error(error.issue);
  } finally {
    networks.forEach((n) => n.model.dispose());
  }
  const labelled = predictions.filter((p) => p.actual !== undefined && card.classes.includes(p.actual));
  return {
    method: card.method,
    classes: card.classes,
    predictions,
    ...(labelled.length > 0 ? { accuracy: labelled.filter((p) => p.actual === p.label).length / labelled.length } : {}),
    errors: log.errors,
    errorCount: log.errorCount,
    warnings: log.warnings,
  };
}

interface DecodedChunk {
  samples: ManifestSample[];
  /** One array per card modality, `[samples, ...shape]`. */
  values: Float32Array[];
}

async function decodeChunk(
  root: string,
  samples: ManifestSample[],
  card: ModelCard,
  log: IssueLog,
): Promise<DecodedChunk> {
  const rows = await Promise.all(
    samples.map(async (sample) => {
      const values: Float32Array[] = [];
      for (const modality of card.modalities) {
        const cell = sample.cells.get(modality.name);
        let file;
        if (cell?.type === 'file') {
          const located = locateFile(root, sample, modality.name, cell.path);
          if (!located.ok) {
            log.error(located.issue);
            return null;
          }
          file = located.file;
        }
        try {
          if (!cell) throw new Error(`it has no value for modality "${modality.name}"`);
          const decoded = await decodeCell(cell, file, modality);
          if (decoded.length !== sampleSize(modality))
            throw new Error(
              `it decodes to ${decoded.length} values, but the model expects [${modality.shape.join(', ')}] (${sampleSize(modality)} values)`,
            );
          applyNormalization(decoded, modality.normalization);
          values.push(decoded);
        } catch (error) {
          log.error({
            code: file ? corruptCode(file.extension) : 'vector-length',
            file: file?.relative,
            row: sample.line || undefined,
            sampleId: sample.id,
            column: modality.name,
            message: `${describeSample(sample)}: modality "${modality.name}" cannot be used: ${(error as Error).message}.`,
          });
          return null;
        }
      }
      return { sample, values };
    }),
  );
  const kept = rows.filter((r): r is { sample: ManifestSample; values: Float32Array[] } => r !== null);
  return {
    samples: kept.map((r) => r.sample),
    values: card.modalities.map((modality, m) => {
      const size = sampleSize(modality);
      const out = new Float32Array(kept.length * size);
      kept.forEach((r, i) => out.set(r.values[m] as Float32Array, i * size));
      return out;
    }),
  };
}

function predictChunk(card: ModelCard, networks: LoadedNetwork[], chunk: DecodedChunk): Prediction[] {
  const count = chunk.samples.length;
  const probabilities = tf.tidy(() => {
    const inputs = new Map(
      card.modalities.map((m, i) => [m.name, tf.tensor(chunk.values[i] as Float32Array, [count, ...m.shape])]),
    );
    // UMT: the fused network. UME: the plain average of the teachers' softmax outputs (paper 3.3).
    const outputs = networks.map((n) =>
      tf.softmax(
        applyModel(
          n.model,
          n.modalities.map((name) => inputs.get(name) as tf.Tensor),
          false,
        )[0] as tf.Tensor,
      ),
    );
    return tf.div(tf.addN(outputs), outputs.length);
  });
  const values = probabilities.dataSync();
  probabilities.dispose();
  const classes = card.classes.length;
  return chunk.samples.map((sample, i) => {
    const row = Array.from(values.subarray(i * classes, (i + 1) * classes));
    const best = row.indexOf(Math.max(...row));
    return {
      id: sample.id,
      label: card.classes[best] ?? '',
      probabilities: row,
      ...(sample.label ? { actual: sample.label } : {}),
    };
  });
}
