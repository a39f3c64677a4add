/** Thrown by a handler that stopped because its request was cancelled. */
export class CancelledError extends Error {
  override readonly name = 'CancelledError';
  constructor() {
    super('cancelled');
  }
}

export function cancelled(): CancelledError {
  return new CancelledError();
}
