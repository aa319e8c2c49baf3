/**
 * A short, escaped excerpt of text read from a dataset file, for an error message: at most `maxChars`
 * characters, control characters and quotes escaped (JSON string syntax), so a message can neither
 * carry a whole file nor put terminal escape sequences on the user's screen.
 */
export function excerpt(text: string, maxChars = 60): string {
  const characters = [...text];
  const cut = characters.length > maxChars ? `${characters.slice(0, maxChars).join('')}…` : text;
  return JSON.stringify(cut);
}

/** Names read from a file (column headers, say) as a short list of excerpts: `"a", "b", … (12 in all)`. */
export function excerptList(names: readonly string[], maxNames = 8, maxChars = 40): string {
  const shown = names
    .slice(0, maxNames)
    .map((name) => excerpt(name, maxChars))
    .join(', ');
  return names.length > maxNames ? `${shown}, … (${names.length} in all)` : shown;
}
