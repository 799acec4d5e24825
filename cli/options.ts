/**
 * Argument parsers of the CLI (commander calls them; a bad value is a usage error naming the
 * option). Pure, unit-tested in test/unit/cli/arguments.test.ts.
 */
import { InvalidArgumentError } from 'commander';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SIZE_UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, kb: 1000, kib: 1024, m: 1024 ** 2, mb: 1000 ** 2, mib: 1024 ** 2, g: 1024 ** 3, gb: 1000 ** 3, gib: 1024 ** 3, t: 1024 ** 4, tb: 1000 ** 4, tib: 1024 ** 4 };

/** A UUID (bucket, file, IPNS name), lower-cased. */
export function parseUuid(value: string): string {
  if (!UUID.test(value)) throw new InvalidArgumentError('expected a UUID (8-4-4-4-12 hex digits).');
  return value.toLowerCase();
}

/** An integer in [min, max]. */
export function integerIn(min: number, max: number): (value: string) => number {
  return (value) => {
    if (!/^\d+$/.test(value.trim())) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    const number = Number(value);
    if (number < min || number > max) throw new InvalidArgumentError(`expected a whole number from ${min} to ${max}.`);
    return number;
  };
}

/** A size in bytes: `1048576`, `64MiB`, `5GB`, `1.5 GiB` (IEC and SI units; K/M/G/T alone are binary). */
export function parseSize(value: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(value);
  const unit = match ? SIZE_UNITS[match[2]!.toLowerCase()] : undefined;
  if (!match || unit === undefined) throw new InvalidArgumentError('expected a size such as 67108864, 64MiB or 1GB.');
  const bytes = Math.round(Number(match[1]) * unit);
  if (!Number.isSafeInteger(bytes)) throw new InvalidArgumentError('size too large.');
  return bytes;
}

/**
 * A directory path in the bucket: `/site/v1/` → `site/v1`; empty segments dropped; `.` and `..`
 * refused (the service refuses them too, but the CLI says so before it sends anything).
 */
export function parseBucketPath(value: string): string {
  const segments = value.split('/').filter((segment) => segment !== '');
  if (segments.some((segment) => segment === '.' || segment === '..')) throw new InvalidArgumentError('a bucket path cannot contain "." or ".." segments.');
  return segments.join('/');
}

/** A CID as the API takes it (CIDv0 `Qm…` or a multibase CIDv1); the service checks it further. */
export function looksLikeCid(value: string): boolean {
  return /^Qm[1-9A-HJ-NP-Za-km-z]{44}$/.test(value) || /^b[a-z2-7]{20,}$/.test(value) || /^[kzf][0-9A-Za-z]{20,}$/.test(value);
}
