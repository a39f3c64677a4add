import { z } from 'zod';

/** The OpenAI request fields the reference server honours; other known fields are accepted and ignored. */
const common = {
  model: z.string().min(1),
  max_tokens: z.number().int().positive().optional(),
  max_completion_tokens: z.number().int().positive().optional(),
  stream: z.boolean().optional(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).optional(),
  ignore_eos: z.boolean().optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().gt(0).lte(1).optional(),
  seed: z.number().int().optional(),
  n: z.literal(1, { error: 'only n = 1 is supported' }).optional(),
};

export const CompletionRequest = z.object({
  ...common,
  prompt: z.union([
    z.string(),
    z.array(z.number().int().nonnegative()).min(1, { error: 'a token-id prompt must not be empty' }),
  ]),
});
export type CompletionRequest = z.infer<typeof CompletionRequest>;

const ChatMessage = z.object({
  role: z.enum(['system', 'user', 'assistant', 'tool', 'developer']),
  content: z.union([z.string(), z.array(z.object({ type: z.literal('text'), text: z.string() }))]),
});

export const ChatCompletionRequest = z.object({
  ...common,
  messages: z.array(ChatMessage).min(1, { error: 'messages must not be empty' }),
});
export type ChatCompletionRequest = z.infer<typeof ChatCompletionRequest>;

export function chatPromptText(messages: ChatCompletionRequest['messages']): string {
  return messages
    .map(
      (m) =>
        `${m.role}: ${typeof m.content === 'string' ? m.content : m.content.map((part) => part.text).join('')}\n`,
    )
    .join('');
}

interface OpenAiError {
  error: { message: string; type: string; param: string | null; code: number };
}

/** The error types OpenAI's client libraries name for each status; anything else is a server error. */
const ERROR_TYPES: Record<number, string> = {
  400: 'BadRequestError',
  401: 'AuthenticationError',
  404: 'NotFoundError',
  405: 'MethodNotAllowedError',
  413: 'RequestTooLargeError',
  429: 'RateLimitError',
  503: 'ServiceUnavailableError',
};

export function openAiError(status: number, message: string, param: string | null = null): OpenAiError {
  return { error: { message, type: ERROR_TYPES[status] ?? 'InternalServerError', param, code: status } };
}

/** The first zod issue as an OpenAI-style message naming the parameter. */
export function describeRequestIssue(error: z.ZodError): { message: string; param: string | null } {
  const issue = error.issues[0];
  const param = issue && issue.path.length > 0 ? issue.path.join('.') : null;
  return { message: param ? `${param}: ${issue.message}` : (issue?.message ?? 'invalid request'), param };
}
