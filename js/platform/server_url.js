// The app may give a relative URL, or none: it is resolved against `base` (the page's URL), as
// fetch() does.
import { localError } from '../errors.js';

export function resolveServerUrl(url, base) {
  if (url !== undefined && typeof url !== 'string' && !(url instanceof URL)) {
    throw localError('invalid_argument', 'the server URL must be a string or a URL');
  }
  try {
    return new URL(url ?? '/', base).href;
  } catch (cause) {
    throw localError('invalid_argument', `'${String(url)}' is not a valid server URL`, { cause });
  }
}
