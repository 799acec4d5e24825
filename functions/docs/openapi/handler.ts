import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import document from '../../../docs/openapi.json';

/**
 * GET /openapi.json: the OpenAPI 3.1 document of both surfaces (docs/openapi.json, generated
 * by `npm run openapi:generate` and bundled into this function). GET /docs: a self-contained
 * page listing its routes (no script, nothing fetched from elsewhere). No credentials.
 */
export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  if (event.rawPath.endsWith('/openapi.json')) {
    return { statusCode: 200, headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'public, max-age=300' }, body: json };
  }
  return { statusCode: 200, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'public, max-age=300' }, body: page };
}

interface Operation {
  readonly operationId?: string;
  readonly summary?: string;
  readonly tags?: readonly string[];
  readonly parameters?: readonly { name: string; in: string; required?: boolean; description?: string }[];
  readonly requestBody?: { content: Record<string, unknown> };
  readonly responses?: Record<string, unknown>;
  readonly security?: readonly Record<string, unknown>[];
}

interface OpenApiDocument {
  readonly info: { title: string; version: string; description?: string };
  readonly tags?: readonly { name: string; description?: string }[];
  readonly paths: Record<string, Record<string, Operation>>;
}

function escape(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The routes by tag (surface), each with its parameters, body types, answers and whether it needs a credential. */
export function referencePage(doc: OpenApiDocument): string {
  const sections = (doc.tags ?? []).map((tag) => {
    const rows: string[] = [];
    for (const [path, operations] of Object.entries(doc.paths)) {
      for (const [method, op] of Object.entries(operations)) {
        if (!op.tags?.includes(tag.name)) continue;
        const params = (op.parameters ?? []).map((p) => `<code>${escape(p.name)}</code> <small>${escape(p.in)}${p.required ? '' : ', optional'}</small>`).join('<br>');
        const body = op.requestBody ? Object.keys(op.requestBody.content).map((type) => `<code>${escape(type)}</code>`).join(' ') : '';
        const statuses = Object.keys(op.responses ?? {}).join(' ');
        const auth = (op.security ?? []).length > 0 ? 'key' : 'none';
        rows.push(
          `<tr id="${escape(op.operationId ?? '')}"><td><b>${escape(method.toUpperCase())}</b></td><td><code>${escape(path)}</code></td><td>${escape(op.summary ?? '')}</td><td>${params}</td><td>${body}</td><td>${escape(statuses)}</td><td>${auth}</td></tr>`,
        );
      }
    }
    return `<h2>${escape(tag.name)}</h2><p>${escape(tag.description ?? '')}</p>
<table><thead><tr><th>method</th><th>path</th><th>what</th><th>parameters</th><th>body</th><th>answers</th><th>credential</th></tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
  });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escape(doc.info.title)} ${escape(doc.info.version)}: API reference</title>
<style>body{font:14px/1.45 system-ui,sans-serif;margin:2rem;max-width:80rem}table{border-collapse:collapse;width:100%;margin-bottom:2rem}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:#f4f4f4}code{font-size:13px}pre{white-space:pre-wrap;background:#f8f8f8;padding:1rem}</style>
</head><body>
<h1>${escape(doc.info.title)} ${escape(doc.info.version)}</h1>
<p>The machine-readable reference: <a href="openapi.json">openapi.json</a> (OpenAPI 3.1). Credentials: <code>Authorization: Basic base64(key:secret)</code>, <code>X-API-MKEY</code> or <code>X-API-AKEY</code>.</p>
${sections.join('\n')}
<h2>Notes and error codes</h2>
<pre>${escape(doc.info.description ?? '')}</pre>
</body></html>
`;
}

const json = JSON.stringify(document);
const page = referencePage(document as unknown as OpenApiDocument);
