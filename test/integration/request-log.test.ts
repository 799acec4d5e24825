import { describe, expect } from 'vitest';
import { route } from '../../lib/app/route';
import { createLogger } from '../../lib/log';
import type { Services } from '../../lib/app/services';
import { httpEvent, invoke } from '../support/events';
import { tenantTest } from '../support/fixtures';

const it = tenantTest();

let services: Services;

it.beforeAll(({ services: s }) => {
  services = s;
});

describe('the request log', () => {
  it('names the route template, never a raw path that carries a token', async () => {
    // prepare
    const lines: string[] = [];
    const logged: Services = { ...services, logger: createLogger('info', {}, (line) => lines.push(line)) };
    const handler = route({ surface: 'quantum', auth: false, services: () => logged }, async () => ({ message: 'ok' }));
    const token = 'dl-token-that-must-not-be-logged-0123456789';

    // act
    await invoke(handler, httpEvent({ method: 'GET', path: '/API/file/download/{token}', rawPath: `/API/file/download/${token}` }));

    // assess
    const finished = lines.map((line) => JSON.parse(line)).find((entry) => entry.message === 'request finished');
    expect(finished).toMatchObject({ route: 'GET /API/file/download/{token}', status: 200 });
    expect(lines.join('\n')).not.toContain(token);
  });
});
