/**
 * Where a paged search stands: what fetched the current page (a page token or the service's cursor; null for
 * the first page) and the next result on it. Stored as JSON in the task's checkpoint.
 */
export interface PageCursor {
  page: string | null;
  index: number;
}

/** The cursor a stored checkpoint holds; the first page's first result when there is none or it is unreadable. */
export function readPageCursor(state: string | undefined): PageCursor {
  if (!state) return { page: null, index: 0 };
  try {
    const parsed = JSON.parse(state) as Partial<PageCursor>;
    return { page: typeof parsed.page === 'string' ? parsed.page : null, index: Number(parsed.index) || 0 };
  } catch {
    return { page: null, index: 0 };
  }
}

/** The checkpoint to store with the result at `index` of `page`: a resumed search goes on with the next one. */
export function pageCursorAfter(page: string | null, index: number): string {
  return JSON.stringify({ page, index: index + 1 } satisfies PageCursor);
}
