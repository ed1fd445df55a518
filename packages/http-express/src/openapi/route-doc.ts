import { jsonSchemaOf, requestSchemas, type JsonSchema } from '@kirim/core/schemas';
import type { ComponentName } from './components.js';

/** An HTTP method as the OpenAPI document names it. */
export type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** What a route answers on success: the envelope around `data` (a component, a JSON Schema, or null). */
export interface SuccessDoc {
  /** Default 200. */
  status?: number;
  /** What `data` holds: a named component, a list of them (`[name]`), a JSON Schema, or null. */
  data?: ComponentName | [ComponentName] | JsonSchema | null;
  /** `data` is one page of the list, with paging in `meta`. */
  paged?: boolean;
  /** The envelope's `message` as this route writes it. */
  message?: string;
  /** Other statuses the route answers with the same body, and when. */
  also?: Record<number, string>;
  /** A body that is not the JSON envelope (a file, an event stream, the health check). */
  raw?: Record<string, JsonSchema>;
}

/** One route of the API as the OpenAPI document describes it. */
export interface RouteDoc {
  /** One method, or several sharing this description (PUT and PATCH). */
  method: Method | Method[];
  /** The router's path, as Express writes it (`/contacts/:id`). */
  path: string;
  tag: string;
  summary: string;
  description?: string;
  /** Needs no token. */
  public?: boolean;
  /** Needs an admin's token. */
  admin?: boolean;
  /** Query parameters: an object schema, each property one parameter. */
  query?: JsonSchema;
  /** The JSON body. */
  body?: JsonSchema;
  /** The multipart/form-data body (a file upload). */
  multipart?: JsonSchema;
  /** An example request body. */
  example?: unknown;
  answer: SuccessDoc;
  /** Error statuses besides those every route of its kind answers (401, 404 with a path id, 422 with input). */
  errors?: number[];
}

/** The JSON Schema of what one of core's request schemas accepts. */
export const input = (name: keyof typeof requestSchemas): JsonSchema => jsonSchemaOf(requestSchemas[name]);
