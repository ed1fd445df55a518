/** Server settings for tests that send: rate limits off, a fast dispatcher, and an immediate send waiting up to 3 s. */
export const QUICK_SENDS = {
  KIRIM_SEND_MIN_GAP_MS: '0',
  KIRIM_SEND_JITTER_MS: '0',
  KIRIM_DISPATCH_POLL_MS: '20',
  KIRIM_SEND_WAIT_MS: '3000',
};
