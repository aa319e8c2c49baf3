/** `--NAME VALUE` from the command line, or undefined. */
export function option(name: string): string | undefined {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 ? process.argv[at + 1] : undefined;
}

/** The built-in datasets a methods benchmark runs on: `--datasets a,b`, or the three synthetic ones. */
export function datasetsOption(): string[] {
  return (option('datasets') ?? 'synthetic-unimodal,synthetic-paired,synthetic-mixed').split(',');
}
