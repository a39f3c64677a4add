import { z } from 'zod';

/**
 * Zod's messages as people read them at the process boundary: a field left out reads "is missing
 * (expected string)", not zod's "Invalid input: expected string, received undefined", which names a
 * JavaScript value the user never wrote. Other issues keep zod's own message. Process-wide (zod's global
 * config): the CLI and the worker call it once at start.
 */
export function useReadableZodMessages(): void {
  z.config({
    customError: (issue) =>
      issue.code === 'invalid_type' && issue.input === undefined
        ? `is missing (expected ${issue.expected})`
        : undefined,
  });
}

/** One zod issue as a file's reader says it: `field 'a.b' <message>`, or the message alone for the whole value. */
export function issueText(issue: z.core.$ZodIssue): string {
  const field = issue.path.join('.');
  return field === '' ? `the file as a whole: ${issue.message}` : `field '${field}' ${issue.message}`;
}
