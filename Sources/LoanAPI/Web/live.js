// Follows one loan over the API's WebSocket: the loan at once, then after every change, until
// its decision is recorded or it is cancelled (the server then closes the socket). A connection
// that drops before that is opened again after a pause; the server starts with the current
// state, so nothing is missed.
import { session } from './api.js';

/**
 * Calls onLoan(loan) for each state, onConnection('connecting'|'live'|'reconnecting'|'done'),
 * and onError(message) when the API refuses (bad token, no such loan). Returns stop().
 */
export function watchLoan(id, { onLoan, onConnection, onError }) {
  let socket = null;
  let stopped = false;
  let finished = false;
  let retries = 0;
  let timer = null;

  const open = () => {
    const token = session.token();
    if (!token) { onError('You are logged out.'); return; }
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    // A browser cannot set headers on a WebSocket: the token goes in the query, as the API allows.
    socket = new WebSocket(`${scheme}://${location.host}/loans/${id}/events?token=${encodeURIComponent(token)}`);
    onConnection('connecting');
    socket.addEventListener('open', () => { retries = 0; onConnection('live'); });
    socket.addEventListener('message', (event) => {
      let data;
      try { data = JSON.parse(event.data); } catch { return; }
      if (data.error) { finished = true; onError(data.error); return; }
      if (data.decision || data.status === 'Cancelled') finished = true;
      onLoan(data);
    });
    socket.addEventListener('close', () => {
      socket = null;
      if (stopped) return;
      if (finished) { onConnection('done'); return; }
      retries += 1;
      onConnection('reconnecting');
      timer = setTimeout(open, Math.min(10_000, 1000 * 2 ** Math.min(retries - 1, 4)));
    });
  };
  open();
  return () => {
    stopped = true;
    clearTimeout(timer);
    socket?.close(1000);
  };
}
