import type { JsonSchema } from '@kirim/core/schemas';
import { components, errorResponseName, ref } from './components.js';
import type { Method, RouteDoc, SuccessDoc } from './route-doc.js';
import { ACCOUNT_ROUTES } from './account-routes.js';
import { CONTACT_ROUTES } from './contact-routes.js';
import { LEAD_ROUTES } from './lead-routes.js';
import { MESSAGE_ROUTES } from './message-routes.js';
import { MESSAGE_ACTION_ROUTES } from './message-action-routes.js';
import { MESSAGE_MEDIA_ROUTES } from './message-media-routes.js';
import { SESSION_ROUTES } from './session-routes.js';
import { GROUP_ROUTES } from './group-routes.js';
import { PROFILE_ROUTES } from './profile-routes.js';
import { SYSTEM_ROUTES } from './system-routes.js';

/** Every route of the API, area by area. */
export const ROUTE_DOCS: RouteDoc[] = [
  ...SYSTEM_ROUTES,
  ...ACCOUNT_ROUTES,
  ...CONTACT_ROUTES,
  ...SESSION_ROUTES,
  ...GROUP_ROUTES,
  ...PROFILE_ROUTES,
  ...MESSAGE_ROUTES,
  ...MESSAGE_ACTION_ROUTES,
  ...MESSAGE_MEDIA_ROUTES,
  ...LEAD_ROUTES,
];

/** Options of {@link openApiDocument}. */
export interface OpenApiOptions {
  /** The document's `info.title`; default `Kirim WhatsApp Gateway`. */
  title?: string;
  /** The API's base path, relative to the document's own URL or absolute; default `/api`. */
  serverUrl?: string;
}

/** `/contacts/:id` → `/contacts/{id}`. */
export const openApiPath = (path: string) => path.replace(/:(\w+)/g, '{$1}');

/** The OpenAPI 3.1 document of every route of {@link ROUTE_DOCS}. */
export function openApiDocument(options: OpenApiOptions = {}): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTE_DOCS) {
    for (const method of ([] as Method[]).concat(route.method)) {
      const path = openApiPath(route.path);
      paths[path] ??= {};
      paths[path][method] = operation(route, method);
    }
  }
  return {
    openapi: '3.1.0',
    info: {
      title: options.title ?? 'Kirim WhatsApp Gateway',
      version: '0.1.0',
      description:
        'Every route of the Kirim HTTP API, generated from the schemas the engine validates with. Successful ' +
        'answers come in the envelope `{success: true, data, message}` (lists add `meta` with the page); errors ' +
        'as `{success: false, code, message, errors}` with a stable `code`.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: options.serverUrl ?? '/api' }],
    security: [{ bearer: [] }],
    tags: [...new Set(ROUTE_DOCS.map((r) => r.tag))].map((name) => ({ name })),
    paths,
    components: components(),
  };
}

function operation(route: RouteDoc, method: Method): Record<string, unknown> {
  const pathParams = [...route.path.matchAll(/:(\w+)/g)].map(([, name]) => ({
    name,
    in: 'path',
    required: true,
    schema: { type: 'string' },
  }));
  const op: Record<string, unknown> = {
    operationId: operationId(method, route.path),
    tags: [route.tag],
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    ...(route.public ? { security: [] } : {}),
    parameters: [...pathParams, ...queryParameters(route.query)],
    responses: { ...successResponses(route.answer), ...errorResponses(route, pathParams.length > 0) },
  };
  const body = requestBody(route);
  if (body) op.requestBody = body;
  return op;
}

/** `get` `/contacts/:id/toggle` → `getContactsByIdToggle`: stable, unique, readable in generated clients. */
function operationId(method: Method, path: string): string {
  const words = path
    .split('/')
    .filter(Boolean)
    .flatMap((part) => (part.startsWith(':') ? ['by', part.slice(1)] : part.split(/[^a-zA-Z0-9]+/)));
  return method + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

function queryParameters(query: JsonSchema | undefined): unknown[] {
  if (!query) return [];
  const properties = (query.properties ?? {}) as Record<string, JsonSchema>;
  const required = new Set((query.required ?? []) as string[]);
  return Object.entries(properties).map(([name, schema]) => ({
    name,
    in: 'query',
    required: required.has(name),
    ...(typeof schema.description === 'string' ? { description: schema.description } : {}),
    schema,
  }));
}

function requestBody(route: RouteDoc): Record<string, unknown> | undefined {
  const content: Record<string, unknown> = {};
  if (route.body)
    content['application/json'] = { schema: route.body, ...(route.example ? { example: route.example } : {}) };
  if (route.multipart) content['multipart/form-data'] = { schema: route.multipart };
  if (Object.keys(content).length === 0) return undefined;
  const required = Array.isArray(route.body?.required) && route.body.required.length > 0;
  return { required: required || (!!route.multipart && !route.body), content };
}

function dataSchema(data: SuccessDoc['data']): JsonSchema {
  if (data === null || data === undefined) return { type: 'null' };
  if (typeof data === 'string') return ref(data);
  if (Array.isArray(data)) return { type: 'array', items: ref(data[0]) };
  return data;
}

const META: JsonSchema = {
  type: 'object',
  required: ['page', 'per_page', 'total', 'last_page'],
  properties: {
    page: { type: 'integer' },
    per_page: { type: 'integer' },
    total: { type: 'integer' },
    last_page: { type: 'integer' },
    total_is_lower_bound: { const: true, description: 'Counting stopped at a cap: there are at least `total`' },
  },
  additionalProperties: false,
};

/** The success envelope around `data` (`meta` too on a page of a list). */
function envelope(answer: SuccessDoc): JsonSchema {
  const data = answer.paged ? { type: 'array', items: dataSchema(answer.data) } : dataSchema(answer.data);
  return {
    type: 'object',
    required: ['success', 'data', 'message', ...(answer.paged ? ['meta'] : [])],
    properties: {
      success: { const: true },
      data,
      message: { type: 'string', ...(answer.message ? { examples: [answer.message] } : {}) },
      ...(answer.paged ? { meta: META } : {}),
    },
    additionalProperties: false,
  };
}

function successResponses(answer: SuccessDoc): Record<string, unknown> {
  const content = answer.raw
    ? Object.fromEntries(Object.entries(answer.raw).map(([type, schema]) => [type, { schema }]))
    : { 'application/json': { schema: envelope(answer) } };
  const responses: Record<string, unknown> = {
    [answer.status ?? 200]: { description: answer.message ?? 'OK', content },
  };
  for (const [status, description] of Object.entries(answer.also ?? {})) responses[status] = { description, content };
  return responses;
}

function errorResponses(route: RouteDoc, hasPathParams: boolean): Record<string, unknown> {
  const statuses = new Set(route.errors ?? []);
  if (!route.public) statuses.add(401);
  if (route.admin) statuses.add(403);
  if (hasPathParams) statuses.add(404);
  if (route.body || route.multipart || route.query) statuses.add(422);
  if (route.body) statuses.add(400).add(413);
  statuses.add(500);
  return Object.fromEntries(
    [...statuses]
      .sort((a, b) => a - b)
      .map((status) => [status, { $ref: `#/components/responses/${errorResponseName(status)}` }]),
  );
}
