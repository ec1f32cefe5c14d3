// The one error type of the public API: a stable code (the core's ErrorCode name) and where the
// fault lies ('local' app misuse, 'remote' server refusal or protocol violation, 'transport').
export class RtcwireError extends Error {
  constructor(code, origin, message, options) {
    super(message, options);
    this.name = 'RtcwireError';
    this.code = code;
    this.origin = origin;
  }
}

// The core reports errors as {code, origin, message} (a reply's `error`, an event's).
export function errorFromValue({ code, origin, message }) {
  return new RtcwireError(code, origin, message);
}

export function localError(code, message, options) {
  return new RtcwireError(code, 'local', message, options);
}
