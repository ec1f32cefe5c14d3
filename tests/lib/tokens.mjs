// JWT connection tokens made in the test with Node's crypto: HS256, RS256 and ES256, plus the
// malformed ones a server must refuse (alg none, bad signatures).
import { createHmac, createSign, generateKeyPairSync, randomBytes } from 'node:crypto';

export const HS256_SECRET = 'test-secret-that-is-long-enough-0123456789';

const base64url = (value) =>
  Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function nowSeconds() {
  return Math.floor(Date.now() / 1000);
}

/** Claims valid for `lifetimeSeconds` from now, plus `extra`. */
export function claims(extra = {}, lifetimeSeconds = 300) {
  const now = nowSeconds();
  return { sub: 'alice', iat: now, exp: now + lifetimeSeconds, ...extra };
}

export function hs256(payload, secret = HS256_SECRET, header = { alg: 'HS256', typ: 'JWT' }) {
  const signed = `${base64url(header)}.${base64url(payload)}`;
  return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}

export function unsigned(payload) {
  return `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url(payload)}.`;
}

/** An RSA key pair: sign(payload) makes RS256 tokens; publicPem is for --jwt-public-key. */
export function rsaKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' });
  return {
    publicPem,
    sign(payload, header = { alg: 'RS256', typ: 'JWT' }) {
      const signed = `${base64url(header)}.${base64url(payload)}`;
      const signature = createSign('sha256').update(signed).sign(privateKey, 'base64url');
      return `${signed}.${signature}`;
    },
  };
}

/** A P-256 key pair for ES256 (JWS signatures are r || s, "ieee-p1363"). */
export function ecKeys() {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return {
    publicPem: publicKey.export({ type: 'spki', format: 'pem' }),
    sign(payload) {
      const signed = `${base64url({ alg: 'ES256', typ: 'JWT' })}.${base64url(payload)}`;
      const signature = createSign('sha256')
        .update(signed)
        .sign({ key: privateKey, dsaEncoding: 'ieee-p1363' }, 'base64url');
      return `${signed}.${signature}`;
    },
  };
}

/** Another signature of the same length: what a forger without the key can do. */
export function withBadSignature(token) {
  const [header, payload, signature] = token.split('.');
  const bytes = Buffer.from(signature, 'base64url');
  const forged = randomBytes(bytes.length);
  return `${header}.${payload}.${forged.toString('base64url')}`;
}
