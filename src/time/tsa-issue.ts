// Ferry's time-stamp authority (RFC 3161): checks its own certificate once at construction, then turns
// requests into tokens. Pure apart from what is injected: the clock, the serial source, the key.
import type { KeyObject, X509Certificate } from 'node:crypto';
import { FerryError } from '../errors.js';
import { encodeMessageImprint, type TsaHashName } from './tsa-algorithms.js';
import { certFacts, validAt, type CertFacts } from '../pki/cert-extensions.js';
import { unsupportedCritical } from '../pki/chain.js';
import { keyMatchesCertificate, timeStampingUsageProblem } from '../pki/role-fit.js';
import { DerError, isOidText } from '../pki/der.js';
import { MAX_SERIAL_BITS } from './tsa-limits.js';
import { encodeNonce, parseTimeStampReq } from './tsa-request.js';
import { encodeGranted, encodeRejection, failureFor } from './tsa-response.js';
import type { SerialSource } from './tsa-serials.js';
import { encodeAccuracy, encodeTstInfo, subSecond, type Accuracy } from './tsa-tstinfo.js';
import { buildTimeStampToken, prepareTokenSigner, type TokenSigner } from './tsa-token.js';

export interface TimeStampAuthorityOptions {
  /** EC P-256 private key matching `certificate`. */
  signingKey: KeyObject;
  /** Must carry timeStamping as its sole, critical EKU (RFC 3161 §2.3) and be valid now. */
  certificate: X509Certificate;
  /** Issuer certificates, TSA's issuer first; sent with the token when the request has certReq. */
  chain?: X509Certificate[];
  /** The policy every token is issued under; a request naming another is refused (unacceptedPolicy). */
  policyOid: string;
  /** The policy audit-chain anchors are issued under (stamp(…, { purpose: 'audit-anchor' })). respond(),
   *  which serves the public POST /tsa, never issues under it: a token anyone can request is never
   *  an anchor, and the audit verifier accepts only this policy for anchors. Must differ from policyOid. */
  anchorPolicyOid?: string;
  /** How far genTime may be from true time: what the trusted clock can promise. Finer than a second
   *  puts milliseconds in genTime. */
  accuracy: Accuracy;
  /** RFC 3161 §2.4.2 ordering: Ferry does not promise ordering between tokens by genTime. */
  ordering: false;
  clock: { now(): Date };
  serials: SerialSource;
  /** Told about faults answered as systemFailure (serial store, clock), for the caller's log. */
  onSystemFailure?: (err: unknown) => void;
  /** Told of every token issued (Ferry's own and POST /tsa), for the operator's counter. */
  onIssued?: () => void;
}

export interface StampOptions {
  nonce?: bigint | Buffer;
  /** 'audit-anchor': issue under anchorPolicyOid (Ferry's own audit anchors only). Default 'packet'. */
  purpose?: 'packet' | 'audit-anchor';
  /** Put the TSA certificate (and chain) in the token. Default false, as in a request (RFC 3161 §2.4.1). */
  certReq?: boolean;
}

function config(detail: string): never {
  throw new FerryError('FERRY_ERR_TSA_CONFIG', detail);
}

function checkAccuracy(a: Accuracy): void {
  if (a.seconds !== undefined && (!Number.isSafeInteger(a.seconds) || a.seconds < 0)) config(`accuracy.seconds must be a whole number ≥ 0, got ${a.seconds}`);
  for (const k of ['millis', 'micros'] as const) {
    const v = a[k];
    // RFC 3161 §2.4.2: millis and micros are INTEGER (1..999); 0 means "leave out".
    if (v !== undefined && (!Number.isInteger(v) || v < 0 || v > 999)) config(`accuracy.${k} must be 0..999, got ${v}`);
  }
}

export class TimeStampAuthority {
  private readonly signer: TokenSigner;
  private readonly policyOid: string;
  private readonly anchorPolicyOid: string | undefined;
  private readonly accuracyDer: Buffer | undefined;
  private readonly withMillis: boolean;
  private readonly clock: { now(): Date };
  private readonly serials: SerialSource;
  private readonly onSystemFailure: ((err: unknown) => void) | undefined;
  private readonly onIssued: (() => void) | undefined;

  /** Throws FerryError FERRY_ERR_TSA_CONFIG when the TSA must not start. */
  constructor(opts: TimeStampAuthorityOptions) {
    if (!isOidText(opts.policyOid)) config(`policyOid is not an OID: ${opts.policyOid}`);
    if (opts.ordering !== false) config('ordering must be false: Ferry does not order tokens');
    if (opts.anchorPolicyOid !== undefined && !isOidText(opts.anchorPolicyOid)) config(`anchorPolicyOid is not an OID: ${opts.anchorPolicyOid}`);
    if (opts.anchorPolicyOid === opts.policyOid) config('anchorPolicyOid must differ from policyOid: the public /tsa must not issue audit anchors');
    checkAccuracy(opts.accuracy);
    let facts: CertFacts;
    try {
      facts = certFacts(opts.certificate);
    } catch (e) {
      if (e instanceof DerError) config(`TSA certificate: ${e.message}`);
      throw e;
    }
    const usage = timeStampingUsageProblem(facts);
    if (usage) config(`TSA certificate ${opts.certificate.subject}: ${usage.detail}`);
    const critical = unsupportedCritical(facts);
    if (critical.length) config(`TSA certificate has unsupported critical extensions ${critical.join(', ')}`);
    const now = opts.clock.now();
    if (!validAt(facts, now)) config(`TSA certificate is not valid now (${facts.notBefore.toISOString()} .. ${facts.notAfter.toISOString()})`);
    this.signer = prepareTokenSigner(opts.signingKey, opts.certificate, opts.chain ?? []);
    if (!keyMatchesCertificate(opts.signingKey, opts.certificate)) config('the signing key does not belong to the TSA certificate');
    let child = opts.certificate;
    for (const c of opts.chain ?? []) {
      if (!child.checkIssued(c) || !child.verify(c.publicKey)) config(`chain: ${c.subject} did not issue ${child.subject}`);
      child = c;
    }
    this.policyOid = opts.policyOid;
    this.anchorPolicyOid = opts.anchorPolicyOid;
    this.accuracyDer = encodeAccuracy(opts.accuracy);
    this.withMillis = subSecond(opts.accuracy);
    this.clock = opts.clock;
    this.serials = opts.serials;
    this.onSystemFailure = opts.onSystemFailure;
    this.onIssued = opts.onIssued;
  }

  /** Time-stamp a digest for Ferry's own use. Returns the DER TimeStampToken (ContentInfo).
   *  Throws FerryError on a wrong digest length (a caller bug) or when the TSA cannot issue. */
  async stamp(digest: Buffer, hashAlg: TsaHashName = 'SHA-256', opts: StampOptions = {}): Promise<Buffer> {
    const imprint = encodeMessageImprint(hashAlg, digest);
    const nonceDer = opts.nonce !== undefined ? encodeNonce(opts.nonce) : undefined;
    let policy = this.policyOid;
    if (opts.purpose === 'audit-anchor') {
      if (!this.anchorPolicyOid) throw new FerryError('FERRY_ERR_TSA_CONFIG', 'no anchorPolicyOid configured: audit anchors cannot be issued');
      policy = this.anchorPolicyOid;
    }
    return this.issue(imprint, nonceDer, opts.certReq ?? false, policy);
  }

  /** Answer a DER TimeStampReq with a DER TimeStampResp: granted with a token, or a rejection whose
   *  PKIFailureInfo says why (RFC 3161 §2.4.2). Never throws for what the client sent. */
  async respond(reqDer: Buffer): Promise<Buffer> {
    const req = parseTimeStampReq(reqDer);
    if (!req.ok) return encodeRejection(failureFor(req.code), req.detail);
    const r = req.value;
    // Only the public policy is offered here; asking for the anchor policy is refused like any other.
    if (r.reqPolicy !== undefined && r.reqPolicy !== this.policyOid) {
      return encodeRejection('unacceptedPolicy', `policy ${r.reqPolicy} is not offered; this TSA issues under ${this.policyOid}`);
    }
    let token: Buffer;
    try {
      token = this.issue(r.messageImprintDer, r.nonceDer, r.certReq, this.policyOid);
    } catch (e) {
      this.onSystemFailure?.(e);
      return encodeRejection('systemFailure', 'the time-stamp authority cannot issue a token now');
    }
    return encodeGranted(token);
  }

  private issue(messageImprintDer: Buffer, nonceDer: Buffer | undefined, certReq: boolean, policy: string): Buffer {
    const genTime = this.clock.now();
    if (Number.isNaN(genTime.getTime())) throw new FerryError('FERRY_ERR_TSA_SYSTEM', 'the clock gave an invalid time');
    // A token outside the certificate's validity would fail every verifier: refuse instead.
    if (!validAt(certFacts(this.signer.certificate), genTime)) {
      throw new FerryError('FERRY_ERR_TSA_SYSTEM', `genTime ${genTime.toISOString()} is outside the TSA certificate validity`);
    }
    const serial = this.serials.next();
    if (serial < 1n || serial >= 1n << BigInt(MAX_SERIAL_BITS)) {
      throw new FerryError('FERRY_ERR_TSA_SYSTEM', `serial source gave ${serial}, outside 1 .. 2^160`);
    }
    const tstInfo = encodeTstInfo({
      policy,
      messageImprintDer,
      serial,
      genTime,
      withMillis: this.withMillis,
      ...(this.accuracyDer ? { accuracyDer: this.accuracyDer } : {}),
      ...(nonceDer ? { nonceDer } : {}),
    });
    const token = buildTimeStampToken(this.signer, tstInfo, certReq);
    this.onIssued?.();
    return token;
  }
}
