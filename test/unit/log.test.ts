import { describe, expect, it } from 'vitest';
import { createLogger, redact, type LogLevel } from '../../lib/log';

const SECRETS = ['Basic a2V5OnNlY3JldA==', 'mk_master-secret', 'at_app-secret', 'the-api-secret', 'dl-token-123', 'hunter2', 'sig-abc'];

function capture(level: LogLevel = 'debug', base: Record<string, unknown> = {}) {
  const lines: string[] = [];
  const logger = createLogger(level, base, (line) => lines.push(line));
  return { logger, lines, output: () => lines.join('\n'), entries: () => lines.map((line) => JSON.parse(line)) };
}

describe('log redaction', () => {
  it('never writes a credential header, at any nesting or letter case', () => {
    // prepare
    const { logger, output } = capture();

    // act
    logger.info('request', {
      authorization: SECRETS[0],
      event: {
        headers: { Authorization: SECRETS[0], 'X-API-MKEY': SECRETS[1], 'x-api-akey': SECRETS[2], host: 'example.test' },
      },
    });

    // assess
    for (const secret of SECRETS.slice(0, 3)) expect(output()).not.toContain(secret);
    expect(output()).toContain('example.test');
  });

  it('never writes secret-like fields (secret, token, password, signature, credentials, key)', () => {
    // prepare
    const { logger, output, entries } = capture();

    // act
    logger.warn('issued', {
      apiSecret: SECRETS[3],
      file_token: SECRETS[4],
      password: SECRETS[5],
      'X-Amz-Signature': SECRETS[6],
      credentials: { accessKeyId: 'AKIA', secretAccessKey: 'shh' },
      key: 'raw-key-value',
      apiKey: 'public-key-id',
    });

    // assess
    for (const secret of [...SECRETS.slice(3), 'shh', 'raw-key-value']) expect(output()).not.toContain(secret);
    expect(entries()[0]).toMatchObject({ apiSecret: '[redacted]', credentials: '[redacted]', apiKey: 'public-key-id' });
  });

  it('redacts inside arrays', () => {
    // prepare
    const { logger, output } = capture();

    // act
    logger.info('batch', { items: [{ token: SECRETS[4] }, { nested: [{ secret: SECRETS[3] }] }] });

    // assess
    expect(output()).not.toContain(SECRETS[4]);
    expect(output()).not.toContain(SECRETS[3]);
  });

  it('redacts the fields a child logger carries', () => {
    // prepare
    const { logger, output } = capture();

    // act
    logger.child({ requestId: 'r-1', authorization: SECRETS[0] }).error('failed', { 'x-api-mkey': SECRETS[1] });

    // assess
    expect(output()).not.toContain(SECRETS[0]);
    expect(output()).not.toContain(SECRETS[1]);
    expect(output()).toContain('r-1');
  });

  it('writes an error as its name, message and stack', () => {
    // prepare
    const { logger, entries } = capture();

    // act
    logger.error('boom', { error: new TypeError('bad thing') });

    // assess
    expect(entries()[0].error).toMatchObject({ name: 'TypeError', message: 'bad thing', stack: expect.stringContaining('TypeError') });
  });

  it('does not change the fields passed in', () => {
    // prepare
    const fields = { headers: { authorization: SECRETS[0] } };

    // act
    redact(fields);

    // assess
    expect(fields.headers.authorization).toBe(SECRETS[0]);
  });

  it('redacts secret fields nested deeper than 6 levels', () => {
    // prepare
    const { logger, output } = capture();

    // act
    logger.info('deep', { a: { b: { c: { d: { e: { f: { g: { authorization: SECRETS[0] } } } } } } } });

    // assess
    expect(output()).not.toContain(SECRETS[0]);
  });

  it('redacts a master key logged under a name such as masterKey', () => {
    // prepare
    const { logger, output } = capture();

    // act
    logger.info('seeded', { masterKey: SECRETS[1] });

    // assess
    expect(output()).not.toContain(SECRETS[1]);
  });
});

describe('log levels and shape', () => {
  it('writes one JSON line per entry with level, time, message and base fields', () => {
    // prepare
    const { logger, entries } = capture('info', { service: 'storage' });

    // act
    logger.info('hello', { count: 2 });

    // assess
    expect(entries()).toEqual([{ level: 'info', time: expect.any(String), message: 'hello', service: 'storage', count: 2 }]);
  });

  it('drops entries below the configured level', () => {
    // prepare
    const { logger, entries } = capture('warn');

    // act
    logger.debug('d');
    logger.info('i');
    logger.warn('w');
    logger.error('e');

    // assess
    expect(entries().map((entry) => entry.level)).toEqual(['warn', 'error']);
  });

  it('writes nothing when silent', () => {
    // prepare
    const { logger, lines } = capture('silent');

    // act
    logger.error('e');
    logger.child({ a: 1 }).error('e');

    // assess
    expect(lines).toEqual([]);
  });
});
