import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { registerRun } from '../engine/cli/commands/run';
import { resolveConfig } from '../engine/method/config';
import { METHODS } from '../engine/method/methods/registry';
import { AUTO_DISTILL_WEIGHTS, DEFAULT_CONFIG } from '../engine/protocol/run';
import { SETTING_LIST, SETTINGS } from '../engine/protocol/settings';
import { parseField, SETTING_FIELDS } from '../renderer/src/lib/settings';

/** The `run` command as the CLI registers it, and what its action resolved the options to. */
function runCommand(): { command: Command; parse: (args: string[]) => Promise<{ stderr: string; exitCode: number }> } {
  const program = new Command().exitOverride();
  let stderr = '';
  const context = {
    stdout: process.stdout,
    stderr: {
      write: (text: string) => {
        stderr += text;
        return true;
      },
    } as unknown as NodeJS.WritableStream,
    exitCode: 0,
  };
  registerRun(program, context);
  const command = program.commands.find((c) => c.name() === 'run')!;
  return {
    command,
    parse: async (args) => {
      await program.parseAsync(['node', 'modality-studio', 'run', ...args]).catch(() => undefined);
      return { stderr, exitCode: context.exitCode };
    },
  };
}

describe('the settings table', () => {
  it('gives every run its defaults, which the engine accepts as they are', () => {
    for (const setting of SETTING_LIST) expect(DEFAULT_CONFIG[setting.id]).toEqual(setting.default);
    expect(resolveConfig({})).toEqual(DEFAULT_CONFIG);
    expect(Object.keys(DEFAULT_CONFIG).sort()).toEqual(Object.keys(SETTINGS).sort());
  });

  it("makes the CLI's options: one per setting with a flag, its help and default in --help", () => {
    const { command } = runCommand();
    const longs = command.options.map((o) => o.long);
    for (const setting of SETTING_LIST.filter((s) => s.flag)) {
      const long = setting.flag!.split(' ')[0]!;
      expect(longs).toContain(long);
      expect(command.options.find((o) => o.long === long)?.description).toContain(
        `default ${Array.isArray(setting.default) ? setting.default.join(',') || 'none' : setting.default}`,
      );
    }
  });

  it("checks the CLI's values against the table's limits, naming the setting", async () => {
    const { parse } = runCommand();
    const { stderr, exitCode } = await parse(['synthetic-mixed', '--ogm-alpha', '500']);
    expect(exitCode).toBe(2);
    expect(stderr).toContain('Setting "ogmAlpha" is 500');
  });

  it("makes the settings step's fields: every setting but the methods chooser, basic ones first, with their limits", () => {
    const shown = SETTING_LIST.filter((s) => !s.hidden && s.type !== 'ids').map((s) => s.id);
    expect(SETTING_FIELDS.map((f) => f.key).sort()).toEqual([...shown].sort());
    expect(SETTING_FIELDS.findIndex((f) => f.advanced)).toBe(SETTING_FIELDS.filter((f) => !f.advanced).length);
    const alpha = SETTING_FIELDS.find((f) => f.key === 'ogmAlpha')!;
    expect(alpha.label).toBe(SETTINGS.ogmAlpha.label);
    expect(parseField(alpha, '500').error).toBe('OGM-GE α must be a number from 0 to 100; 500 is not.');
    expect(
      parseField(
        SETTING_FIELDS.find((f) => f.key === 'distillWeight')!,
        'auto',
      ).value,
    ).toBe('auto');
  });

  it("names only registered methods as owners, and UMT's help the weights auto tries", () => {
    const ids = METHODS.map((m) => m.id);
    for (const setting of SETTING_LIST.filter((s) => s.owner)) expect(ids).toContain(setting.owner);
    expect(SETTINGS.distillWeight.help).toContain(
      `${AUTO_DISTILL_WEIGHTS.slice(0, -1).join(', ')} and ${AUTO_DISTILL_WEIGHTS.at(-1)}`,
    );
  });
});
