/** What a command writes to and how it ends; tests pass their own streams. */
export interface CliContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  exitCode: number;
}
