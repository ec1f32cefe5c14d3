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
