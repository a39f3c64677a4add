/**
 * The one error type the engine throws for bad input. `where` names the file, flag or field at fault so
 * every front end (CLI, worker, editor) can say what is wrong and where without parsing the message.
 */
export class ServeTuneError extends Error {
  override readonly name = 'ServeTuneError';
  constructor(
    message: string,
    readonly code: ServeTuneErrorCode,
    readonly where?: string,
  ) {
    super(message);
  }
}

type ServeTuneErrorCode =
  | 'unknown-model'
  | 'unknown-hardware'
  | 'invalid-config'
  | 'invalid-plan'
  | 'invalid-argument'
  | 'does-not-fit'
  | 'io'
  | 'no-gpu'
  | 'gpu';

export function isServeTuneError(value: unknown): value is ServeTuneError {
  return value instanceof ServeTuneError;
}
