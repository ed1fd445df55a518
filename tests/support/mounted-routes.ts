import type { Kirim } from '@kirim/core';
import { kirimRouter } from '@kirim/http-express';

/** Method and path (`/contacts/:id`) of every route the HTTP router mounts, in registration order. */
export function mountedRoutes(kirim: Kirim): Array<{ method: string; path: string }> {
  const router = kirimRouter(kirim) as unknown as {
    stack: Array<{ route?: { path: string; methods: Record<string, boolean> } }>;
  };
  return router.stack.flatMap((layer) =>
    layer.route
      ? Object.keys(layer.route.methods)
          .filter((m) => m !== '_all')
          .map((method) => ({ method: method.toUpperCase(), path: layer.route!.path }))
      : [],
  );
}
