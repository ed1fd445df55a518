import type { Page } from '@kirim/core';

/** The success envelope: `{success: true, data, message}`. */
export function ok<T>(data: T, message = 'OK') {
  return { success: true as const, data, message };
}

/** A list page: the items as `data`, paging in `meta`. */
export function paged<T>(page: Page<T>, message = 'OK') {
  return {
    success: true as const,
    data: page.items,
    meta: {
      page: page.page,
      per_page: page.perPage,
      total: page.total,
      last_page: Math.max(1, Math.ceil(page.total / page.perPage)),
      ...(page.totalIsLowerBound ? { total_is_lower_bound: true } : {}),
    },
    message,
  };
}
