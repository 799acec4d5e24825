/**
 * Deterministic interleavings and faults over the REAL stores (DynamoDB Local,
 * s3rver): `instrument(deps)` wraps every port of a run (entries, listings, lifecycle,
 * deletions, directories, downloadTokens, uploads, blobs, blobCopies, blobStreams, buckets, accounts) so a test can
 * - list the port calls a run makes (`calls`), then
 * - pause that run just before its k-th call until another run has finished
 *   (`pauseBefore(k)`: every step boundary, one scenario each), or
 * - make its k-th call fail (`failAt(k)`, a crash there), or kill it there
 *   (`killAt(k)`: that call and every later one fail, as when Lambda stops the
 *   process, so not even a `finally` clean-up reaches storage).
 * Nothing is mocked: every call that is let through goes to the emulators.
 */
import type { StorageDeps } from '../../lib/core/ports/storage';

const PORTS = ['entries', 'listings', 'lifecycle', 'deletions', 'directories', 'downloadTokens', 'uploads', 'blobs', 'buckets', 'accounts', 'sessions', 'moves'] as const;
/** Ports only some deps carry (the lifecycle's copy store, the gateways' stream store): wrapped where present. */
const OPTIONAL_PORTS = ['blobCopies', 'blobStreams'] as const;

export class Killed extends Error {
  constructor(call: string) {
    super(`killed at ${call}`);
    this.name = 'Killed';
  }
}

export interface Instrumented<D extends StorageDeps> {
  readonly deps: D;
  /** `port.method` of every call so far, in order. */
  readonly calls: string[];
  /** Pauses before the k-th call (0-based); `paused` resolves when the run reaches it, `resume()` lets it go on. */
  pauseBefore(k: number): { paused: Promise<void>; resume: () => void };
  failAt(k: number, times?: number): void;
  killAt(k: number): void;
  /** Kills the run at its first call of `label` (`port.method`). */
  killBefore(label: string): void;
}

export function instrument<D extends StorageDeps>(deps: D): Instrumented<D> {
  const calls: string[] = [];
  let pause: { at: number; reached: () => void; gate: Promise<void> } | undefined;
  let fail: { at: number; left: number } | undefined;
  let killedFrom: number | undefined;
  let killLabel: string | undefined;

  const wrapPort = (name: string, port: object) =>
    new Proxy(port, {
      get(target, property, receiver) {
        const value = Reflect.get(target, property, receiver);
        if (typeof value !== 'function' || typeof property !== 'string') return value;
        return async (...args: unknown[]) => {
          const index = calls.length;
          const label = `${name}.${property}`;
          calls.push(label);
          if (label === killLabel) killedFrom ??= index;
          if (killedFrom !== undefined && index >= killedFrom) throw new Killed(label);
          if (pause && pause.at === index) {
            pause.reached();
            await pause.gate;
          }
          if (fail && fail.at === index && fail.left > 0) {
            fail.left--;
            throw new Error(`injected fault at ${label}`);
          }
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    });

  const wrapped = { ...deps } as Record<string, unknown>;
  for (const port of PORTS) wrapped[port] = wrapPort(port, deps[port] as object);
  for (const port of OPTIONAL_PORTS) {
    const present = (deps as Record<string, unknown>)[port];
    if (present) wrapped[port] = wrapPort(port, present as object);
  }

  return {
    deps: wrapped as unknown as D,
    calls,
    pauseBefore(k) {
      let reached!: () => void;
      let resume!: () => void;
      const paused = new Promise<void>((resolve) => (reached = resolve));
      const gate = new Promise<void>((resolve) => (resume = resolve));
      pause = { at: k, reached, gate };
      return { paused, resume };
    },
    failAt(k, times = 1) {
      fail = { at: k, left: times };
    },
    killAt(k) {
      killedFrom = k;
    },
    killBefore(label) {
      killLabel = label;
    },
  };
}
