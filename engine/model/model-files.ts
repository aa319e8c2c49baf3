import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { AppError } from '../protocol/errors';
import { readNetworkFiles } from './model-folder';

/**
 * Saves a LayersModel in the standard tfjs layers format (`model.json` + `weights.bin`) with plain file
 * writes, so no native tfjs-node file handler is needed; `tf.loadLayersModel` in a browser or tfjs-node
 * reads the same files.
 */
export async function saveLayersModel(model: tf.LayersModel, dir: string): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData
        ? tf.io.CompositeArrayBuffer.join(artifacts.weightData)
        : new ArrayBuffer(0);
      fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.from(weightData));
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          weightDataBytes: weightData.byteLength,
        },
      };
    }),
  );
}

/**
 * Loads the network saved in `root/relative` (`model.json` + `weights.bin`, as {@link saveLayersModel} wrote
 * them), reading only plain files inside `root`, the weights checked against model.json (model-folder.ts).
 */
export async function loadLayersModel(root: string, relative: string): Promise<tf.LayersModel> {
  const { dir, jsonFile, modelJson, weights } = readNetworkFiles(root, relative);
  const weightData = weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength);
  try {
    return await tf.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: modelJson.modelTopology,
        weightSpecs: modelJson.weightsManifest.flatMap((group) => group.weights),
        weightData,
      }),
    );
  } catch (error) {
    throw new AppError(
      'model-files',
      `The network in ${dir} could not be built from ${jsonFile} (${(error as Error).message}); the file is damaged or not one modality-studio run wrote. Export or save the model again.`,
    );
  }
}
