/**
 * Errors a user can cause outside their dataset (a bad option, a backend that is not installed). Each has a
 * code from one union and a message saying what was given, what was expected and how to fix it. Dataset
 * problems are reported through `DatasetError` and the validation report instead.
 */
export type UserErrorCode = 'config' | 'backend-unavailable' | 'model-files' | 'aborted' | 'database' | 'output';

export class UserError extends Error {
  constructor(readonly code: UserErrorCode, message: string) {
    super(message);
    this.name = 'UserError';
  }
}

export class ConfigError extends UserError {
  constructor(message: string) {
    super('config', message);
    this.name = 'ConfigError';
  }
}

export class BackendError extends UserError {
  constructor(message: string) {
    super('backend-unavailable', message);
    this.name = 'BackendError';
  }
}
