/**
 * Small routes built on the real shared stack (`route()`), for testing what the
 * stack and the domain's permission checks do independently of any endpoint.
 */
import { z } from 'zod';
import { Permission, requireBucketAccess, requirePermission } from '../../lib/core/access/principal';
import { fail } from '../../lib/errors';
import { route } from '../../lib/app/route';
import type { Surface } from '../../lib/http/render';
import type { Services } from '../../lib/app/services';

export function probeRoutes(surface: Surface, services: Services) {
  const getServices = () => services;
  return {
    /** Answers with the caller's principal. */
    whoami: route({ surface, services: getServices }, async ({ principal }) => ({
      data: {
        accountId: principal.accountId,
        credentialKind: principal.credentialKind,
        bucketUuid: principal.bucketUuid ?? null,
        permissions: [...principal.permissions].sort(),
      },
    })),

    /** Needs the READ permission. */
    read: route({ surface, services: getServices }, async ({ principal }) => {
      requirePermission(principal, Permission.READ);
      return { data: { read: true } };
    }),

    /** Needs the WRITE permission. */
    write: route({ surface, services: getServices }, async ({ principal }) => {
      requirePermission(principal, Permission.WRITE);
      return { data: { written: true } };
    }),

    /** Loads the bucket of path parameter `bucketUuid` and checks the caller may touch it. */
    bucket: route(
      { surface, services: getServices, schemas: { path: z.object({ bucketUuid: z.uuid() }) } },
      async ({ principal, path }) => {
        const bucket = (await services.buckets.get(path.bucketUuid)) ?? fail('bucketNotFound');
        requireBucketAccess(principal, bucket);
        return { data: { bucketUuid: bucket.bucketUuid } };
      },
    ),
  };
}
