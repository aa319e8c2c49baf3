import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTempDir } from '../../test/helpers/dataset-folder';
import { inProcessEngine } from '../../test/helpers/in-process-engine';
import { resolveConfig } from './config';

/** Settings that were misnamed in messages or silently dropped. */
const home = makeTempDir('config');
afterAll(() => fs.rmSync(home, { recursive: true, force: true }));

describe('run settings', () => {
  it('names an unknown setting instead of printing the whole config as a setting called ""', () => {
    expect(() => resolveConfig({ epochs: 3, epcohs: 5 } as never)).toThrow(
      /^"epcohs" is not a setting; the settings are method, epochs, .*\. Remove or rename it\.$/,
    );
  });

  it('refuses "__proto__" in a config instead of starting a run with the defaults', async () => {
    expect(() => resolveConfig(JSON.parse('{"__proto__": {"epochs": 1}}') as never)).toThrow(
      /"__proto__" is not a setting/,
    );
    // Through the engine's door too, where the params schema would otherwise drop the key.
    const engine = inProcessEngine(home);
    try {
      await expect(
        engine.call('run:start', {
          dataset: 'synthetic-mixed',
          config: JSON.parse('{"__proto__": {"epochs": 1}}') as never,
        }),
      ).rejects.toThrow('Bad params for run:start: params.config has a key "__proto__"');
      await expect(engine.call('datasets:list', {})).resolves.toBeDefined();
    } finally {
      await engine.close();
    }
  });
});
