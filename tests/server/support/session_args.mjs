// Server flags for tests that watch the room after a peer's connection closes, or stop the server
// while stock clients (which ignore goaway) are still connected: a disconnected session expires
// (and its room hears peer-left) after a short resume window instead of 120 s, and shutdown closes
// the clients after a short drain instead of 15 s.
export const SHORT_RESUME_WINDOW_MS = 300;
export const QUICK_SESSION_ARGS = [
  '--resume-window',
  `${SHORT_RESUME_WINDOW_MS}ms`,
  '--drain-timeout',
  '500',
];

// For tests whose subject is what a fast sender does to the server's buffers, not the rate limits.
export const UNLIMITED_RATE_ARGS = [
  '--rate-messages', '1000000',
  '--rate-message-burst', '1000000',
  '--rate-bytes', '1000000000',
  '--rate-byte-burst', '1000000000',
];
