/** serverless.yml's CORS object: what API Gateway (and serverless-offline locally) allows and exposes to browser apps. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, type CollectionTag, type ScalarTag } from 'yaml';

interface CorsSettings {
  allowedOrigins: string[];
  allowedHeaders: string[];
  allowedMethods: string[];
  exposedResponseHeaders: string[];
  allowCredentials?: boolean;
}

/** CloudFormation's short forms (`!Ref`, `!GetAtt`, ...), read as plain values: this test reads other settings. */
const cloudFormationTags: ScalarTag[] = ['Ref', 'GetAtt', 'Sub', 'Join', 'If', 'Equals', 'Not', 'Select', 'Split'].map((name) => ({
  tag: `!${name}`,
  resolve: (value: string) => value,
}));
/** The sequence forms (`!Join [sep, [...]]`, ...) the function.yml files use, read as plain lists. */
const cloudFormationSequenceTags: CollectionTag[] = ['Join', 'Select', 'Split', 'If', 'Sub', 'Equals', 'Not'].map((name) => ({
  tag: `!${name}`,
  collection: 'seq',
  resolve: (value) => value,
}));
const serverless = parse(readFileSync(path.resolve(__dirname, '../../serverless.yml'), 'utf8'), { customTags: cloudFormationTags });
const cors: CorsSettings = serverless.provider.httpApi.cors;
const lower = (names: string[]) => names.map((name) => name.toLowerCase());

describe('provider.httpApi.cors', () => {
  it('is an object, not the framework defaults (`true` lacks the key headers)', () => {
    // assess
    expect(typeof cors).toBe('object');
  });

  it('allows the credential, body, range and conditional headers', () => {
    // assess
    expect(lower(cors.allowedHeaders)).toEqual(
      expect.arrayContaining(['authorization', 'content-type', 'x-api-mkey', 'x-api-akey', 'range', 'if-range', 'if-none-match', 'if-modified-since']),
    );
  });

  it('exposes the headers scripts need to read downloads and report problems', () => {
    // assess
    expect(lower(cors.exposedResponseHeaders)).toEqual(
      expect.arrayContaining(['x-request-id', 'content-disposition', 'content-range', 'content-length', 'etag', 'accept-ranges', 'last-modified']),
    );
  });

  it('allows every method a route serves (PATCH of a bucket, PUT of its webhook included), and OPTIONS', () => {
    // prepare: the httpApi events of every function.yml that serverless.yml lists
    const files = [...readFileSync(path.resolve(__dirname, '../../serverless.yml'), 'utf8').matchAll(/\$\{file\(\.\/(functions\/[^)]+\/function\.yml)\)\}/g)].map(([, file]) => file!);
    const served = new Set<string>();
    for (const file of files) {
      const definition = Object.values(parse(readFileSync(path.resolve(__dirname, '../..', file), 'utf8'), { customTags: [...cloudFormationTags, ...cloudFormationSequenceTags] }) as Record<string, { events?: { httpApi?: { method: string } | string }[] }>)[0]!;
      for (const event of definition.events ?? []) {
        // `httpApi: '*'` or method ANY (catch-alls: no method of their own), or `httpApi: 'GET /path'`, or `{ method, path }`.
        const method = typeof event.httpApi === 'string' ? event.httpApi.split(' ')[0]! : event.httpApi?.method;
        if (method && method !== '*' && method.toUpperCase() !== 'ANY') served.add(method.toUpperCase());
      }
    }

    // assess
    expect(served).toContain('PATCH');
    expect(served).toContain('PUT');
    expect([...served].filter((method) => !cors.allowedMethods.includes(method))).toEqual([]);
    expect(cors.allowedMethods).toEqual(expect.arrayContaining(['HEAD', 'OPTIONS']));
  });

  it('allows any origin without credentials mode (keys travel in headers, never in cookies)', () => {
    // assess
    expect(cors.allowedOrigins).toEqual(['*']);
    expect(cors.allowCredentials).toBeFalsy();
  });
});

describe('resources.extensions.HttpApiStage', () => {
  it('throttles the stage with rate and burst from the environment, with defaults', () => {
    // prepare
    // `resources` is a list of fragments (serverless.yml's own, infra/alarms.yml, infra/function-alarms.js) merged on packaging.
    const fragments: Array<Record<string, any> | string> = [serverless.resources].flat();
    const extensions = fragments.find((fragment): fragment is Record<string, any> => typeof fragment === 'object' && 'extensions' in fragment)!.extensions;
    const settings = extensions.HttpApiStage.Properties.DefaultRouteSettings;

    // assess
    expect(settings.ThrottlingRateLimit).toBe('${env:HTTP_API_THROTTLE_RATE, 100}');
    expect(settings.ThrottlingBurstLimit).toBe('${env:HTTP_API_THROTTLE_BURST, 200}');
  });
});

describe('the files bucket’s CORS (presigned PUTs from the web console)', () => {
  const fragments: Array<Record<string, any> | string> = [serverless.resources].flat();
  const resources = fragments.find((fragment): fragment is Record<string, any> => typeof fragment === 'object' && 'Resources' in fragment)!.Resources;
  const rules = resources.S3BucketFiles.Properties.CorsConfiguration.CorsRules;

  it('allows only the console’s origin: CONSOLE_ORIGIN, by default the stack’s own HTTP API', () => {
    // assess
    expect(rules).toHaveLength(1);
    expect(rules[0].AllowedOrigins).toEqual(['${self:custom.consoleOrigin}']);
    expect(serverless.custom.consoleOrigin).toBe('${env:CONSOLE_ORIGIN, self:custom.httpApiOrigin}');
    expect(JSON.stringify(serverless.custom.httpApiOrigin)).toContain('HttpApi');
    expect(JSON.stringify(rules)).not.toContain("'*'");
  });

  it('takes its methods, headers and max age from infra/files-bucket-cors.json, the rule the local stack gives s3rver', () => {
    // assess
    expect(rules[0]).toMatchObject({
      AllowedMethods: '${file(./infra/files-bucket-cors.json):AllowedMethods}',
      AllowedHeaders: '${file(./infra/files-bucket-cors.json):AllowedHeaders}',
      MaxAge: '${file(./infra/files-bucket-cors.json):MaxAge}',
      ExposedHeaders: '${file(./infra/files-bucket-cors.json):ExposedHeaders}',
    });
  });
});
