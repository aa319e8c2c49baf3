/**
 * Text that came from a user's data or files (labels, column names, sample ids, file names) as it may be
 * shown on one line of a terminal or a message: control characters (escape sequences that retitle or clear
 * a terminal, newlines that would split a line of `predict`'s output), and the Unicode bidi controls that
 * reorder what is shown, are written as `\uXXXX`; text longer than `max` is cut, saying how long it was.
 */
export function printable(text: string, max = 200): string {
  const shown = text.replace(
    /[\p{Cc}\u202A-\u202E\u2066-\u2069]/gu,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return shown.length > max ? `${shown.slice(0, max)}… (${text.length} characters)` : shown;
}
