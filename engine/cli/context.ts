/** What a command writes to and how it ends; tests pass their own streams. */
export interface CliContext {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream & { isTTY?: boolean };
  exitCode: number;
}

/** Exit codes: 0 ok, 1 the work failed (e.g. the dataset is not usable), 2 the command line was wrong, 130 stopped. */
export const EXIT_USAGE = 2;
/** Stopped by Ctrl-C or SIGTERM before anything was recorded: 128 + SIGINT, as shells report it. */
export const EXIT_INTERRUPTED = 130;
