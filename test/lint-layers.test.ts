import path from 'node:path';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const eslint = new ESLint({ cwd: ROOT });

/** The import-layering messages ESLint gives `code` placed at `file` (relative to the repository). */
async function layeringErrors(file: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: path.join(ROOT, file) });
  return (result?.messages ?? []).filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);
}

describe('the layers are enforced by lint, not by review', () => {
  it.each([
    ['renderer/src/lib/x.ts', "import fs from 'fs';\nexport const a = fs;\n"],
    ['renderer/src/lib/x.ts', "import Database from 'better-sqlite3';\nexport const a = Database;\n"],
    ['renderer/src/lib/x.ts', "import * as tf from '@tensorflow/tfjs';\nexport const a = tf;\n"],
    [
      'renderer/src/lib/x.ts',
      "import { prepareDataset } from '../../../engine/data/prepare';\nexport const a = prepareDataset;\n",
    ],
    ['electron/main/x.ts', "import * as tf from '@tensorflow/tfjs';\nexport const a = tf;\n"],
    ['electron/main/x.ts', "import Database from 'better-sqlite3';\nexport const a = Database;\n"],
    ['engine/data/x.ts', "import { IPC } from '../../electron/ipc-channels';\nexport const a = IPC;\n"],
    ['engine/train/x.ts', "import { percent } from '../../renderer/src/lib/format';\nexport const a = percent;\n"],
    ['engine/process/x.ts', "import electron from 'electron';\nexport const a = electron;\n"],
    ['engine/train/x.ts', "import { runPipeline } from '../method/pipeline';\nexport const a = runPipeline;\n"],
    [
      'engine/train/compiled/x.ts',
      "import type { TrainingMethod } from '../../method/methods/method';\nexport type A = TrainingMethod;\n",
    ],
    ['engine/runtime/webgpu/x.ts', "import { fitModel } from '../../train/fit';\nexport const a = fitModel;\n"],
    ['engine/runtime/x.ts', "import { recipeFor } from '../method/recipe';\nexport const a = recipeFor;\n"],
    ['engine/runtime/webgpu/x.ts', "import electron from 'electron';\nexport const a = electron;\n"],
  ])('refuses %s importing across its layer: %s', async (file, code) => {
    expect(await layeringErrors(file, code)).not.toEqual([]);
  });

  it('lets each layer import what it may', async () => {
    expect(
      await layeringErrors(
        'renderer/src/lib/x.ts',
        "import type { RunConfig } from '../../../engine/protocol/run';\nexport type A = RunConfig;\n",
      ),
    ).toEqual([]);
    expect(
      await layeringErrors(
        'electron/main/x.ts',
        "import path from 'node:path';\nimport type { EngineMessage } from '../../engine/protocol/engine';\nexport type A = EngineMessage;\nexport const b = path;\n",
      ),
    ).toEqual([]);
    expect(
      await layeringErrors('engine/data/x.ts', "import * as tf from '@tensorflow/tfjs';\nexport const a = tf;\n"),
    ).toEqual([]);
    // Down the engine's layers: method → train → runtime.
    expect(
      await layeringErrors(
        'engine/method/x.ts',
        "import { fitModel } from '../train/fit';\nimport { BACKENDS } from '../runtime/backends/registry';\nexport const a = [fitModel, BACKENDS];\n",
      ),
    ).toEqual([]);
    expect(
      await layeringErrors(
        'engine/train/x.ts',
        "import { stepMaker } from '../runtime/webgpu/step-maker';\nexport const a = stepMaker;\n",
      ),
    ).toEqual([]);
  });
});
