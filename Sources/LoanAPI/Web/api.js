// The API client: JSON over fetch with the bearer token, and the login session.

const SESSION_KEY = 'celeriac.session';

/**
 * The bearer token lives in sessionStorage: it survives reloads of this tab, is not shared
 * with other tabs, and is gone when the tab closes. An expired token counts as none.
 */
export const session = {
  token() {
    let saved = null;
    try { saved = JSON.parse(sessionStorage.getItem(SESSION_KEY) ?? 'null'); } catch { saved = null; }
    if (!saved || typeof saved.token !== 'string') return null;
    if (Date.now() >= saved.expiresAt) { this.clear(); return null; }
    return saved.token;
  },
  save(token, expiresInSeconds) {
    // A minute early, so a request never leaves with a token about to expire.
    const expiresAt = Date.now() + Math.max(0, expiresInSeconds - 60) * 1000;
    sessionStorage.setItem(SESSION_KEY, JSON.stringify({ token, expiresAt }));
  },
  clear() { sessionStorage.removeItem(SESSION_KEY); },
};

/** A failed request: the API's message, its per-field messages, and the HTTP status (0: unreachable). */
export class ApiError extends Error {
  constructor(status, body, retryAfter = null) {
    super(body?.error ?? `The server answered ${status}.`);
    this.status = status;
    this.fields = body?.fields ?? {};
    this.retryAfter = retryAfter;
  }
}

/** Sends a request; resolves with the parsed JSON (null for an empty body), rejects with ApiError. */
export async function api(method, path, body) {
  const headers = { Accept: 'application/json' };
  const token = session.token();
  if (token) headers.Authorization = `Bearer ${token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch {
    throw new ApiError(0, { error: 'The server cannot be reached. Check your connection and try again.' });
  }
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = { error: text }; }
  if (response.status === 401 && token) {
    // The token expired or the account is gone: back to the login page.
    session.clear();
    window.dispatchEvent(new CustomEvent('session-ended'));
  }
  if (!response.ok) throw new ApiError(response.status, data, response.headers.get('Retry-After'));
  return data;
}

/** Logs in and keeps the token. */
export async function logIn(email, password) {
  const answer = await api('POST', '/auth/login', { email, password });
  session.save(answer.access_token, answer.expires_in);
}
