// connect's `token` option as an async getter (the token goes in hello/refresh, never a URL).
import { localError } from './errors.js';

export function tokenGetter(token) {
  if ((typeof token !== 'string' && typeof token !== 'function') || token === '') {
    throw localError('invalid_argument', 'token must be a string or a function');
  }
  return async () => {
    let value;
    try {
      value = typeof token === 'string' ? token : await token();
    } catch (cause) {
      throw localError('unauthorized', `the token function failed: ${cause?.message}`, { cause });
    }
    if (typeof value !== 'string' || value === '') {
      throw localError('unauthorized', 'no token');
    }
    return value;
  };
}
