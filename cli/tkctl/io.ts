/**
 * What a tkctl command may touch of the outside world, injected so that tests can run
 * commands in-process and read what they print.
 */
import type { Readable, Writable } from 'node:stream';

export interface CliIO {
  stdout: Writable;
  stderr: Writable;
  stdin: Readable;
  env: NodeJS.ProcessEnv;
  cwd: string;
}

/** A failure reported as one line on stderr (`error: ...`) with an exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** Ends the command with an exit code but prints nothing more (exec's remote exit code). */
export class ExitCode extends Error {
  constructor(readonly exitCode: number) {
    super(`exit code ${exitCode}`);
    this.name = 'ExitCode';
  }
}
