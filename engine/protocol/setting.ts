/**
 * What a run setting is (one row of the settings table, settings.ts): its id, the words a person reads (label,
 * help), the option that sets it on the command line, its type with its limits, its default, whether it is an
 * advanced one, and the method that owns it. The engine's validation, the defaults, the CLI's options and the
 * settings step's fields are all made from the table, so a setting is written once.
 */

/** The allowed range of a numeric setting. */
export interface NumberLimit {
  min: number;
  max: number;
  integer: boolean;
  /** `min` itself is not allowed (a learning rate of 0). */
  minExclusive?: boolean;
}

/** Lists of widths: each entry within `item`, between `minLength` and `maxLength` entries. */
export interface ListLimit {
  item: NumberLimit;
  minLength: number;
  maxLength: number;
}

interface SettingText {
  /** The settings step's label. */
  label: string;
  /** What it does and when to change it: the settings step's help text and the CLI's option description. */
  help: string;
  /** The CLI's option, with its value's name (`--ogm-alpha <a>`); none for a setting the CLI does not take. */
  flag?: string;
  /** Folded under *Advanced settings* in the settings step. */
  advanced: boolean;
  /** Not a field of the settings step (the methods to compare have their own chooser). */
  hidden?: boolean;
  /** The method whose setting it is (its registry id), for a method's own settings. */
  owner?: string;
}

export interface NumberSetting extends SettingText {
  type: 'number';
  limit: NumberLimit;
  default: number;
  /** The word `auto` is accepted besides a number (the engine then chooses the value on validation). */
  allowsAuto?: false;
}

export interface NumberOrAutoSetting extends SettingText {
  type: 'number';
  limit: NumberLimit;
  default: number | 'auto';
  allowsAuto: true;
}

export interface ChoiceSetting<C extends string = string> extends SettingText {
  type: 'choice';
  choices: readonly C[];
  default: C;
}

export interface ListSetting extends SettingText {
  type: 'list';
  limit: ListLimit;
  default: number[];
}

/** A list of registry ids (the methods to train besides the paper's flow). */
export interface IdsSetting extends SettingText {
  type: 'ids';
  default: string[];
  maxLength: number;
}

export type Setting = NumberSetting | NumberOrAutoSetting | ChoiceSetting | ListSetting | IdsSetting;

/** The value type a setting holds. */
export type SettingValue<S> = S extends { type: 'number'; allowsAuto: true }
  ? number | 'auto'
  : S extends { type: 'number' }
    ? number
    : S extends { type: 'choice'; choices: readonly (infer C)[] }
      ? C
      : S extends { type: 'list' | 'ids' }
        ? S extends { type: 'list' }
          ? number[]
          : string[]
        : never;

export const count = (max: number): NumberLimit => ({ min: 1, max, integer: true });

/** A choice setting whose choices keep their literal types. */
export function choice<const C extends string>(
  choices: readonly C[],
  rest: Omit<ChoiceSetting<C>, 'type' | 'choices'>,
): ChoiceSetting<C> {
  return { type: 'choice', choices, ...rest };
}
