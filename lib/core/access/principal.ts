import { AppError, missingPermissionError } from '../../errors';

/** API key permissions, with Apillon's numeric codes. Not hierarchical: WRITE does not imply READ. */
export const Permission = { EXECUTE: 50, WRITE: 51, READ: 52 } as const;
export type Permission = (typeof Permission)[keyof typeof Permission];
export const ALL_PERMISSIONS: readonly Permission[] = [Permission.EXECUTE, Permission.WRITE, Permission.READ];

const PERMISSION_NAMES: Record<Permission, string> = { 50: 'KEY_EXECUTE', 51: 'KEY_WRITE', 52: 'KEY_READ' };

export function permissionName(permission: Permission): string {
  return PERMISSION_NAMES[permission];
}

export function parsePermissionName(name: string): Permission | undefined {
  const normalised = name.trim().toUpperCase().replace(/^KEY_/, '');
  return (Permission as Record<string, Permission>)[normalised];
}

export type CredentialKind = 'master' | 'api' | 'app';

/** Who is calling, whichever of the three credential kinds they used (SPEC §2). */
export interface Principal {
  readonly accountId: string;
  readonly credentialKind: CredentialKind;
  readonly credentialId: string;
  /** Set for application tokens: the one bucket they may touch. */
  readonly bucketUuid?: string;
  readonly permissions: ReadonlySet<Permission>;
}

/** Throws 403 naming the missing permission unless the principal holds it. */
export function requirePermission(principal: Principal, permission: Permission): void {
  if (!principal.permissions.has(permission)) throw missingPermissionError(permissionName(permission));
}

/** Bucket create/remove and token create/remove need the master key. */
export function requireMasterKey(principal: Principal): void {
  if (principal.credentialKind !== 'master') throw new AppError('masterKeyRequired');
}

/** Throws unless the principal may act on a record of `ownerAccountId` inside `bucketUuid`. */
export function requireBucketAccess(principal: Principal, bucket: { bucketUuid: string; accountId: string }): void {
  if (bucket.accountId !== principal.accountId) throw new AppError('recordOfAnotherAccount');
  if (principal.bucketUuid !== undefined && principal.bucketUuid !== bucket.bucketUuid) {
    throw new AppError('wrongApplicationToken');
  }
}
