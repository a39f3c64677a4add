/** A request refused with an HTTP status, sent as an OpenAI-style error body naming `param` where one is at fault. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}
