/**
 * An error the learner can act on: one or two plain sentences, and the exit code of the contract
 * (1: the environment is not ready; 2: usage, unknown id, bad input file, broken course content).
 * Anything else that escapes a command is a bug, shown with its stack only under --debug.
 */
export class UserError extends Error {
  constructor(
    message: string,
    readonly exitCode: 1 | 2 = 2,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export const usageError = (message: string) => new UserError(message, 2);
export const environmentError = (message: string) => new UserError(message, 1);

export function isUserError(error: unknown): error is UserError {
  return error instanceof UserError;
}
