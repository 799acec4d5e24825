/**
 * The service's responses against its published contract, docs/openapi.json: the JSON
 * body of a response must match the schema the document gives for its route (`routeKey`,
 * e.g. `POST /storage/buckets`, as API Gateway names it) and status. Schemas are checked
 * with Ajv in JSON Schema 2020-12 (OpenAPI 3.1's dialect), `$ref`s resolved in the document.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import type { InvokeResult } from './events';

const DOCUMENT_ID = 'openapi.json';
export const openApiDocument = JSON.parse(readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8')) as {
  paths: Record<string, Record<string, { responses: Record<string, Record<string, unknown>> }>>;
  components: { responses: Record<string, Record<string, unknown>> };
};

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(openApiDocument, DOCUMENT_ID);

const pointer = (...parts: string[]) => parts.map((part) => part.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');

/**
 * Why `response` breaks the contract of `routeKey` (`METHOD /template`, `{name+}` allowed),
 * or undefined when it keeps it: an undocumented route or status, a JSON body where none is
 * documented, or a body that does not match the documented schema.
 */
export function contractViolation(routeKey: string, response: Pick<InvokeResult, 'statusCode' | 'headers' | 'body' | 'rawBody'>): string | undefined {
  const [method, template] = routeKey.split(' ') as [string, string];
  const pathKey = template.replace(/\{(\w+)\+\}/g, '{$1}');
  const operation = openApiDocument.paths[pathKey]?.[method.toLowerCase()];
  if (!operation) return `${routeKey} is not in docs/openapi.json`;
  const status = String(response.statusCode);
  let documented = operation.responses[status];
  let where = pointer('paths', pathKey, method.toLowerCase(), 'responses', status);
  if (!documented) return `${routeKey} answered ${status}, which docs/openapi.json does not list (${Object.keys(operation.responses).join(', ')})`;
  if (typeof documented.$ref === 'string') {
    const name = documented.$ref.split('/').pop()!;
    documented = openApiDocument.components.responses[name]!;
    where = pointer('components', 'responses', name);
  }
  const content = documented.content as Record<string, unknown> | undefined;
  const type = (response.headers['content-type'] ?? '').split(';')[0]!.trim();
  if (!content) return response.rawBody === '' ? undefined : `${routeKey} ${status}: a body where docs/openapi.json documents none`;
  if (!(type in content)) return `${routeKey} ${status}: content type ${type || '(none)'}, documented ${Object.keys(content).join(', ')}`;
  if (type !== 'application/json') return undefined;
  const validate = ajv.getSchema(`${DOCUMENT_ID}#/${where}/content/${pointer(type)}/schema`);
  if (!validate) return `${routeKey} ${status}: no schema at ${where}`;
  if (validate(response.body)) return undefined;
  return `${routeKey} ${status}: ${ajv.errorsText(validate.errors)} in ${response.rawBody.slice(0, 500)}`;
}
