// Reading and writing key and certificate files for the gateways. A private key that group or others can read is
// refused: DESIGN "Trust and keys" — the gateway does not start with an exposed key.
import { closeSync, fstatSync, openSync, readFileSync, type Stats } from 'node:fs';
import { chmod, open } from 'node:fs/promises';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { FerryError } from '../errors.js';
import { looksLikePem, pemBlocks } from './pem.js';

/** Bits that must be clear on a private-key file: any permission for group or others. */
export const KEY_FILE_FORBIDDEN_MODE = 0o077;
/** Files larger than this are not keys or certificates; refuse before reading them into memory. */
export const MAX_PKI_FILE_BYTES = 1024 * 1024;

function modeString(mode: number): string {
  return '0' + (mode & 0o7777).toString(8).padStart(3, '0');
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** Reads a file through one descriptor, so the mode checked is the mode of the bytes read. */
function readChecked(path: string, code: 'FERRY_ERR_PKI_KEY_FILE' | 'FERRY_ERR_PKI_CERT_FILE', checkMode: boolean): Buffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    const why = (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'does not exist' : `cannot be opened (${errText(e)})`;
    throw new FerryError(code, `${path} ${why}`, { cause: e });
  }
  try {
    const st: Stats = fstatSync(fd);
    if (!st.isFile()) throw new FerryError(code, `${path} is not a regular file`);
    if (checkMode && (st.mode & KEY_FILE_FORBIDDEN_MODE) !== 0) {
      throw new FerryError(
        code,
        `${path} has mode ${modeString(st.mode)}: a private key must not be accessible to group or others (chmod 600 ${path})`,
      );
    }
    if (st.size > MAX_PKI_FILE_BYTES) throw new FerryError(code, `${path} is ${st.size} bytes; too large for a key or certificate`);
    return readFileSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Loads a private key (PEM: PKCS#8, SEC1 "EC PRIVATE KEY" or PKCS#1; or DER PKCS#8/SEC1/PKCS#1).
 * Throws FERRY_ERR_PKI_KEY_FILE naming the file when it is missing, readable by group or others
 * (mode & 0o077), encrypted, or not a private key.
 */
export function loadPrivateKey(path: string): KeyObject {
  const bytes = readChecked(path, 'FERRY_ERR_PKI_KEY_FILE', true);
  if (looksLikePem(bytes)) {
    if (bytes.includes('ENCRYPTED')) {
      throw new FerryError('FERRY_ERR_PKI_KEY_FILE', `${path} holds an encrypted private key; store it unencrypted with mode 0600`);
    }
    try {
      return createPrivateKey({ key: bytes, format: 'pem' });
    } catch (e) {
      throw new FerryError('FERRY_ERR_PKI_KEY_FILE', `${path} is not a readable private key (${errText(e)})`, { cause: e });
    }
  }
  for (const type of ['pkcs8', 'sec1', 'pkcs1'] as const) {
    try {
      return createPrivateKey({ key: bytes, format: 'der', type });
    } catch {
      // try the next DER container
    }
  }
  throw new FerryError('FERRY_ERR_PKI_KEY_FILE', `${path} is not a private key (neither PEM nor DER PKCS#8/SEC1/PKCS#1)`);
}

function parseDer(der: Buffer, path: string, what: string): X509Certificate {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(der);
  } catch (e) {
    throw new FerryError('FERRY_ERR_PKI_CERT_FILE', `${path}: ${what} is not a valid certificate (${errText(e)})`, { cause: e });
  }
  // Keep the received bytes (STYLE §7): trailing bytes after the DER would not be covered by anything.
  if (cert.raw.length !== der.length) {
    throw new FerryError('FERRY_ERR_PKI_CERT_FILE', `${path}: ${what} has ${der.length - cert.raw.length} trailing bytes after the certificate`);
  }
  return cert;
}

/**
 * Every certificate in a file: all PEM "CERTIFICATE" blocks in order, or one DER certificate.
 * Throws FERRY_ERR_PKI_CERT_FILE naming the file when it is missing, empty or damaged.
 */
export function loadCertificates(path: string): X509Certificate[] {
  return readCertificateFile(path).certs;
}

/** The file's bytes and the certificates parsed from exactly those bytes: for a caller that hands the
 *  file to TLS as well (a leaf with its chain), so the file is read once and both see the same bytes. */
export function readCertificateFile(path: string): { readonly bytes: Buffer; readonly certs: X509Certificate[] } {
  const bytes = readChecked(path, 'FERRY_ERR_PKI_CERT_FILE', false);
  if (looksLikePem(bytes)) {
    const blocks = pemBlocks(bytes.toString('latin1')).filter((b) => b.label === 'CERTIFICATE' || b.label === 'X509 CERTIFICATE');
    if (blocks.length === 0) throw new FerryError('FERRY_ERR_PKI_CERT_FILE', `${path} contains no PEM CERTIFICATE block`);
    return { bytes, certs: blocks.map((b, i) => parseDer(b.der, path, `PEM block ${i + 1}`)) };
  }
  if (bytes.length === 0) throw new FerryError('FERRY_ERR_PKI_CERT_FILE', `${path} is empty`);
  return { bytes, certs: [parseDer(bytes, path, 'DER content')] };
}

/** The first certificate of a PEM or DER file (a leaf file may carry its chain after it). */
export function loadCertificate(path: string): X509Certificate {
  const [first] = loadCertificates(path);
  if (!first) throw new FerryError('FERRY_ERR_PKI_CERT_FILE', `${path} contains no certificate`);
  return first;
}

/** Writes a private key that only the owner can read. The mode on open applies only to a new file and
 *  is masked by the umask, so chmod as well — before the key bytes go in, so a file that existed with a
 *  wider mode (force) never holds the key while readable by others. */
export async function writePrivateKeyFile(path: string, pem: string): Promise<void> {
  const fh = await open(path, 'w', 0o600);
  try {
    await fh.chmod(0o600);
    await fh.writeFile(pem, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
}

export async function writeCertificateFile(path: string, pem: string): Promise<void> {
  const fh = await open(path, 'w', 0o644);
  try {
    await fh.writeFile(pem, 'utf8');
    await fh.sync();
  } finally {
    await fh.close();
  }
  await chmod(path, 0o644);
}
