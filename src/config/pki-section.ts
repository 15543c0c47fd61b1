// The `pki:` section of a gateway config (read by src/pki/crl-service.ts): where the CRLs come from, what a stale list means, and where
// this gateway republishes the list it holds. Declared beside the code that uses it, like time/.
import { filePath, int, list, obj, oneOf, opt, str, SchemaError, type Check, type Infer } from './schema.js';

/** Default refresh: a CRL's nextUpdate is days away; five minutes bounds how long a revoked link peer
 *  keeps its session (it drops at the first refresh that sees the revocation). */
export const DEFAULT_CRL_REFRESH_SECONDS = 300;
/** Where the dev CA's distribution point points (dev-ca.ts DEFAULT_DEV_CRL_URL) and what a gateway
 *  serves when pki.publish names no path. */
export const DEFAULT_CRL_PATH = '/crl/ferry-dev-ca.crl';

const crlShape = obj({
  file: opt<string | null>(filePath(), null),
  url: opt<string | null>(str({ pattern: /^http:\/\/[^\s/]+\/\S*$/ }), null),
  refreshSeconds: opt(int({ min: 5, max: 7 * 86_400 }), DEFAULT_CRL_REFRESH_SECONDS),
});
const crlSource: Check<Infer<typeof crlShape>> = (v, p, ctx) => {
  const s = crlShape(v, p, ctx);
  // Exactly one place to read from: both would leave which one wins to chance.
  if ((s.file === null) === (s.url === null)) throw new SchemaError(p, 'needs exactly one of file or url');
  return s;
};

const publishShape = obj({
  host: str({ min: 1 }),
  port: int({ min: 0, max: 65535 }),
  path: opt(str({ pattern: /^\/[A-Za-z0-9._~/-]*$/ }), DEFAULT_CRL_PATH),
});

const pkiShape = obj({
  crl: opt(list(crlSource), []),
  /** hold (default): a CA whose list is past nextUpdate, or never arrived, has every certificate refused. */
  whenStale: opt(oneOf('hold', 'warn'), 'hold'),
  publish: opt<Infer<typeof publishShape> | null>(publishShape, null),
});
const pkiObj: Check<Infer<typeof pkiShape>> = (v, p, ctx) => {
  const s = pkiShape(v, p, ctx);
  if (s.publish && s.crl.length === 0) {
    throw new SchemaError(`${p}.publish`, 'publishes nothing: configure pki.crl (the list published is the one held)');
  }
  return s;
};

export const pkiSectionSchema = opt(pkiObj, pkiObj({}, 'pki'));
export type PkiSection = Infer<typeof pkiObj>;
