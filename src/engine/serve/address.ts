import { createServer } from 'node:net';
import { ServeTuneError } from '../util/errors.js';

/**
 * Whether `host` listens on this machine's loopback interface only: `localhost`, 127.0.0.0/8, `::1`
 * (and 127.x as an IPv4-mapped IPv6 address). Everything else (0.0.0.0, ::, a LAN address, a name) may
 * be reachable from other machines.
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost' || h === '::1' || h === '0:0:0:0:0:0:0:1') return true;
  const v4 = h.startsWith('::ffff:') ? h.slice(7) : h;
  return /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(v4);
}

/**
 * What to say on stderr before listening on `host`: nothing on loopback; elsewhere that other machines
 * can reach the server, and that it has no authentication unless --api-key is set (with a key, that the
 * key and every prompt travel as plain HTTP).
 */
export function bindWarning(host: string, hasApiKey: boolean): string | undefined {
  if (isLoopbackHost(host)) return undefined;
  return hasApiKey
    ? `warning: listening on ${host}, which other machines may reach; requests need the API key, but travel unencrypted (plain HTTP)`
    : `warning: listening on ${host}, which other machines may reach, and the server has no authentication: anyone who reaches it can use it. Set --api-key (or SERVETUNE_API_KEY), or listen on 127.0.0.1`;
}

/**
 * A failure to listen as the user can act on it: the port in use (suggesting --port 0 or another), a
 * privileged port, an address not on this machine. Other errors are returned as they are.
 */
export function listenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') {
    return new ServeTuneError(
      `port ${port} on ${host} is already in use (another server listens there); choose another with --port, or --port 0 for any free port`,
      'invalid-argument',
      '--port',
    );
  }
  if (code === 'EACCES') {
    return new ServeTuneError(
      `not allowed to listen on ${where} (ports below 1024 need privileges); choose a port of 1024 or more with --port, or --port 0 for any free port`,
      'invalid-argument',
      '--port',
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ServeTuneError(
      `cannot listen on ${host}: it is not an address of this machine (${code}); use e.g. --host 127.0.0.1`,
      'invalid-argument',
      '--host',
    );
  }
  return error;
}

/**
 * Throws `listenError` if `host:port` cannot be listened on now: checked before the slow start of an
 * engine, so a port in use fails at once. (The real listen can still fail, if another process takes
 * the port in between; it reports the same error.)
 */
export async function checkCanListen(host: string, port: number): Promise<void> {
  const probe = createServer();
  try {
    await new Promise<void>((resolve, reject) => {
      probe.once('error', reject);
      probe.listen({ host, port, exclusive: true }, () => resolve());
    });
  } catch (error) {
    throw listenError(error, host, port);
  } finally {
    await new Promise<void>((resolve) => probe.close(() => resolve()));
  }
}
