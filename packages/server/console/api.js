/* global XMLHttpRequest */
// The console's one way to the API: the bearer token (kept for this tab only), JSON requests, the live event stream.

const TOKEN_KEY = 'kirim.token';

/** The signed-in token, or null. */
export const token = () => sessionStorage.getItem(TOKEN_KEY);

/** Keeps the token for this tab (sessionStorage: gone when the tab closes). */
export const signIn = (value) => sessionStorage.setItem(TOKEN_KEY, value);

/** Forgets the token. */
export const signOut = () => sessionStorage.removeItem(TOKEN_KEY);

/** An error answer of the API: its status, stable code, message and offending fields (`{field: [reasons]}`). */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `Request failed (${status})`);
    this.status = status;
    this.code = body?.code ?? null;
    this.fields = body?.errors ?? {};
  }
}

const unauthorizedListeners = new Set();

/** Calls `listener` when the API refuses the token (401), so the console can ask for another. */
export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
}

function headers(extra = {}) {
  return { accept: 'application/json', authorization: `Bearer ${token()}`, ...extra };
}

async function check(response) {
  if (response.ok) return response;
  const body = (response.headers.get('content-type') ?? '').includes('json') ? await response.json() : null;
  if (response.status === 401) for (const listener of unauthorizedListeners) listener();
  throw new ApiError(response.status, body);
}

/** `method path` under /api with a JSON body; resolves with the answer's envelope, rejects with an ApiError. */
export async function api(method, path, body) {
  const init = { method, headers: headers() };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await check(await fetch(`/api${path}`, init));
  return response.json();
}

/** GET of a file under /api (the token goes in a header, so a plain link cannot fetch it). */
export async function download(path) {
  const response = await check(await fetch(`/api${path}`, { headers: headers({ accept: '*/*' }) }));
  const disposition = response.headers.get('content-disposition') ?? '';
  const name = /filename="?([^";]+)"?/.exec(disposition)?.[1] ?? 'download';
  return { blob: await response.blob(), name };
}

/**
 * POSTs a multipart form, reporting upload progress as a fraction (fetch cannot report it; XMLHttpRequest can).
 * Resolves with the answer's envelope, rejects with an ApiError.
 */
export function upload(path, form, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api${path}`);
    for (const [name, value] of Object.entries(headers())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, { message: 'The upload could not reach the server' }));
    xhr.onload = () => {
      let body = null;
      try {
        body = JSON.parse(xhr.responseText);
      } catch {
        // Not JSON: the status alone says what happened.
      }
      if (xhr.status >= 200 && xhr.status < 300) resolve(body);
      else {
        if (xhr.status === 401) for (const listener of unauthorizedListeners) listener();
        reject(new ApiError(xhr.status, body));
      }
    };
    xhr.send(form);
  });
}

const eventListeners = new Map();

/** Calls `listener(data, event)` for each live event of this type (`*` for all); returns the unsubscribe. */
export function on(type, listener) {
  if (!eventListeners.has(type)) eventListeners.set(type, new Set());
  eventListeners.get(type).add(listener);
  return () => eventListeners.get(type).delete(listener);
}

function emit(event) {
  for (const type of [event.type, '*'])
    for (const listener of eventListeners.get(type) ?? []) listener(event.data, event);
}

/**
 * Reads `GET /api/events` until `signal` aborts, resuming after a drop from the last event seen. EventSource cannot
 * send an Authorization header, and the token never goes in a URL, so this is fetch and a stream reader. Each time
 * the stream opens, `stream.open` is emitted: what happened before the first open is for views to read again.
 */
export async function streamEvents(signal) {
  let lastEventId = null;
  let retryMs = 2000;
  while (!signal.aborted) {
    try {
      const extra = { accept: 'text/event-stream', ...(lastEventId ? { 'last-event-id': lastEventId } : {}) };
      const response = await check(await fetch('/api/events', { headers: headers(extra), signal }));
      emit({ type: 'stream.open', data: {} });
      const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
      let buffer = '';
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += value;
        let end;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const frame = parseFrame(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
          if (frame.retry) retryMs = frame.retry;
          if (frame.id) lastEventId = frame.id;
          if (frame.data) emit(JSON.parse(frame.data));
        }
      }
    } catch (error) {
      if (signal.aborted || (error instanceof ApiError && error.status === 401)) return;
    }
    await new Promise((resolve) => setTimeout(resolve, retryMs));
  }
}

function parseFrame(text) {
  const frame = { id: null, data: '', retry: null };
  for (const line of text.split('\n')) {
    const colon = line.indexOf(':');
    if (colon === 0) continue; // a comment: the heartbeat
    const field = colon === -1 ? line : line.slice(0, colon);
    const value = colon === -1 ? '' : line.slice(colon + 1).replace(/^ /, '');
    if (field === 'id') frame.id = value;
    else if (field === 'data') frame.data += (frame.data ? '\n' : '') + value;
    else if (field === 'retry' && /^\d+$/.test(value)) frame.retry = Number(value);
  }
  return frame;
}
