import { ServeTuneError } from '../util/errors.js';

/** The scheme, optional credentials, host and port of a URL as typed: read before the URL parser sees it. */
const AUTHORITY = /^([a-z][a-z0-9+.-]*):\/\/(?:[^@/?#]*@)?(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?/i;

/**
 * The endpoint's base URL (`--url`), checked before anything is sent: http or https, a host, a port in
 * 1-65535, no credentials (they would be written into every summary; `--api-key` carries a key).
 * The WHATWG parser refuses a port past 65535 as just "Invalid URL", so the port is read first.
 */
export function parseEndpointUrl(text: string, flag = '--url'): URL {
  const fail = (why: string): never => {
    throw new ServeTuneError(`${flag} '${text}': ${why}`, 'invalid-argument', flag);
  };
  const example = 'e.g. http://127.0.0.1:8000, or with a path prefix http://host/proxy/v1';
  if (text.trim() === '') fail(`no URL given; give the endpoint's base, ${example}`);
  const authority = AUTHORITY.exec(text);
  if (!authority) {
    const hint = /^[\w.-]+(:\d+)?(\/|$)/.test(text) ? ` (did you mean http://${text}?)` : '';
    fail(`not a URL${hint}; give the endpoint's base with its scheme, ${example}`);
  }
  const [, scheme, host, port] = authority as RegExpExecArray;
  if (!/^https?$/i.test(scheme)) {
    fail(`the scheme ${scheme}:// is not supported; the load generator speaks http:// and https:// only`);
  }
  if (host === '') fail(`no host; ${example}`);
  if (port !== undefined && port !== '') {
    if (!/^\d+$/.test(port)) fail(`the port '${port}' is not a number`);
    const n = Number(port);
    if (n < 1 || n > 65535) fail(`the port ${port} is out of range (1-65535)`);
  }
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(`not a valid URL; ${example}`);
  }
  if (url.username !== '' || url.password !== '') {
    fail('credentials in the URL are refused (they would be written into the summary); use --api-key');
  }
  url.hash = '';
  return url;
}

/** The OpenAI API paths the load generator asks for, under the base URL's `/v1`. */
export type ApiPath = 'completions' | 'chat/completions' | 'models';

/**
 * The path before `/v1/...` on this base: empty for a bare host, `/proxy` for http://host/proxy/v1.
 * A base that already ends in `/v1` keeps it once; one given as an endpoint itself
 * (…/v1/completions) is taken as its base.
 */
function apiRoot(base: URL): string {
  return base.pathname
    .replace(/\/+$/, '')
    .replace(/\/(chat\/)?completions$/, '')
    .replace(/\/v1$/, '');
}

/**
 * The URL of one API path on the endpoint: http://host:8000 → http://host:8000/v1/completions (as
 * vLLM's own benchmark sends it), http://host/proxy/v1 → http://host/proxy/v1/completions. The base's
 * query string is kept (a proxy may need it).
 */
export function apiUrl(base: string | URL, path: ApiPath): URL {
  const url = new URL(base);
  url.hash = '';
  url.pathname = `${apiRoot(url)}/v1/${path}`;
  return url;
}

/** Where the server's Prometheus metrics are: beside `/v1`, as vLLM serves them (http://host:8000/metrics). */
export function metricsUrl(base: string | URL): URL {
  const url = new URL(base);
  url.hash = '';
  url.search = '';
  url.pathname = `${apiRoot(url)}/metrics`;
  return url;
}

/**
 * A header value as given (an API key): printable ASCII and tab only. A CR or LF would end the header and
 * make the rest of the value headers (or a body) of its own, so it is refused by name.
 */
export function checkHeaderValue(value: string, what: string, where: string): void {
  if (/[\r\n]/.test(value)) {
    throw new ServeTuneError(
      `${what} contains a line break (CR or LF): refused, since it would end the header and inject what follows as headers of its own`,
      'invalid-argument',
      where,
    );
  }
  const bad = /[^\t\x20-\x7e]/.exec(value);
  if (bad) {
    const code = bad[0].codePointAt(0)?.toString(16).padStart(4, '0');
    throw new ServeTuneError(
      `${what} contains the character U+${code} at position ${bad.index + 1}; a header value must be printable ASCII`,
      'invalid-argument',
      where,
    );
  }
}
