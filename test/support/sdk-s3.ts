import { S3Client } from '@aws-sdk/client-s3';
import type { Config } from '../../lib/config';

/**
 * The AWS SDK's S3 client on the same endpoint as the service's, for what tests
 * look at beside the service (ListObjectsV2, an object put by hand): a client of its own,
 * without the service's settings or call recorder (lib/store/clients.ts).
 */
export function sdkS3(config: Config): S3Client {
  return new S3Client({
    region: config.AWS_REGION,
    endpoint: config.S3_ENDPOINT,
    forcePathStyle: config.S3_ENDPOINT !== undefined,
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}
