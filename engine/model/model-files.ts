import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../protocol/errors';

/**
 * Saves a LayersModel in the standard tfjs layers format (`model.json` + `weights.bin`) with plain file
 * writes, so no native tfjs-node file handler is needed; `tf.loadLayersModel` in a browser or tfjs-node
 * reads the same files.
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(tf.io.withSaveHandler(async (artifacts) => {
    const weightData = artifacts.weightData ? tf.io.CompositeArrayBuffer.join(artifacts.weightData) : new ArrayBuffer(0);
    fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(weightData));
    const modelJson = {
      format: 'layers-model',
      generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
      convertedBy: null,
      modelTopology: artifacts.modelTopology,
      weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
    };
    fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
    return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON', weightDataBytes: weightData.byteLength } };
  }));
}

export async function loadLayersModel(dir: string): Promise<tf.LayersModel> {
  let modelJson: { modelTopology: object; weightsManifest: { weights: tf.io.WeightsManifestEntry[] }[] };
  let weights: Buffer;
  try {
    modelJson = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    weights = fs.readFileSync(path.join(dir, 'weights.bin'));
  } catch (error) {
    throw new AppError('model-files', `The model in ${dir} could not be read (${(error as Error).message}); expected model.json and weights.bin written by modality-studio run.`);
  }
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  return tf.loadLayersModel(tf.io.fromMemory({
    modelTopology: modelJson.modelTopology,
    weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
    weightData,
  }));
}
