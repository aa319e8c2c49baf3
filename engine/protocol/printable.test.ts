import { describe, expect, it } from 'vitest';
import { printable } from './printable';

/** Labels and names from the user's data on one line of a terminal. */
describe('printable', () => {
  it('escapes escape sequences, bells and line breaks', () => {
    expect(printable('\u001b]0;TITLE\u0007 and\nnext \u001b[2J')).toBe(
      '\\u001b]0;TITLE\\u0007 and\\u000anext \\u001b[2J',
    );
  });

  it('escapes the bidi controls that reorder what is shown', () => {
    expect(printable('abc\u202edef')).toBe('abc\\u202edef');
  });

  it('cuts a 5 MB label to a few hundred characters, saying how long it was', () => {
    const shown = printable('x'.repeat(5_000_000));
    expect(shown.length).toBeLessThan(250);
    expect(shown).toMatch(/… \(5000000 characters\)$/);
  });

  it('leaves ordinary text, accents included, as it is', () => {
    expect(printable('café ünïcode, 猫')).toBe('café ünïcode, 猫');
  });
});
