// TLS material made at test time with the openssl command (never committed): a test CA and
// server certificates for 127.0.0.1 and localhost signed by it, in a temporary directory.
//
//   const certs = await makeTestCertificates();
//   certs.ca (PEM text), certs.issue('name') -> {cert, key} file paths; certs.remove()
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export async function makeTestCertificates() {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'rtcwire-tls-'));
  const file = (name) => path.join(dir, name);
  await run('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
    '-keyout', file('ca.key'), '-out', file('ca.pem'), '-days', '2',
    '-subj', '/CN=rtcwire test CA',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await writeFile(
    file('server.ext'),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n' +
      'basicConstraints=CA:FALSE\nkeyUsage=digitalSignature\n',
  );
  const ca = await readFile(file('ca.pem'), 'utf8');

  /** A server certificate signed by the CA, written as `${name}.pem` and `${name}.key`. */
  async function issue(name) {
    const key = file(`${name}.key`);
    const cert = file(`${name}.pem`);
    await run('openssl', [
      'req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes',
      '-keyout', key, '-out', file(`${name}.csr`), '-subj', `/CN=${name}`,
    ]);
    await run('openssl', [
      'x509', '-req', '-in', file(`${name}.csr`), '-CA', file('ca.pem'), '-CAkey', file('ca.key'),
      '-CAcreateserial', '-out', cert, '-days', '2', '-extfile', file('server.ext'),
    ]);
    return { cert, key };
  }

  return { dir, ca, issue, remove: () => rm(dir, { recursive: true, force: true }) };
}
