// The verification procedure shipped inside an export: the same shell commands twice, as VERIFY.md
// (read and typed by a supervision office) and as verify.sh (run). Both are generated from the one
// list below, so they cannot drift apart. Only POSIX sh, GNU coreutils and openssl are used: no Ferry
// code, no awk, sed, grep, python or jq. Nothing read from the bundle is ever evaluated by the shell:
// numbers are checked to be digits before they reach arithmetic.
import { EXPORT_SEQ_DIGITS, EXPORT_VERIFY_BATCH } from './limits.js';
import { HEAD_FORMAT, PREV_HEX_OFFSET, SEQ_OFFSET } from './canonical.js';
import { ANCHOR_RECORD_FORMAT } from './anchor-record.js';

export interface ScriptStep {
  readonly title: string;
  /** What the step proves, for VERIFY.md. */
  readonly why: string;
  readonly sh: string;
}

const PREV_COLS = `${PREV_HEX_OFFSET + 1}-${PREV_HEX_OFFSET + 64}`; // cut -c is 1-based
const SEQ_COL = SEQ_OFFSET + 1;
const W = EXPORT_SEQ_DIGITS;
const B = EXPORT_VERIFY_BATCH;

export const SETUP = `set -eu
export LC_ALL=C
fail() { echo "FAILED: $*" >&2; exit 1; }
# fingerprint FILE: the SHA-256 of the (first) certificate in FILE, lowercase hex without colons
fingerprint() { openssl x509 -in "$1" -noout -fingerprint -sha256 | cut -d= -f2 | tr -d ':' | tr 'A-F' 'a-f'; }
# hex64 TEXT: TEXT as lowercase hex without colons, or fail when it is not a SHA-256
hex64() {
  h=$(printf %s "$1" | tr -d ':' | tr 'A-F' 'a-f')
  case $h in *[!0-9a-f]*|'') fail "$2 is not a SHA-256 fingerprint" ;; esac
  [ "$(printf %s "$h" | wc -c)" -eq 64 ] || fail "$2 is not a SHA-256 fingerprint"
  printf %s "$h"
}
same() { [ "$(sha256sum < "$1")" = "$(sha256sum < "$2")" ]; }
# firstdiff A B: the number of the first line where files A and B differ
firstdiff() {
  nl -ba -w${W} -nrz "$1" > "$work/d1"; nl -ba -w${W} -nrz "$2" > "$work/d2"
  expr "$(comm -3 "$work/d1" "$work/d2" | head -n 1 | tr -d '\\t' | cut -c1-${W})" + 0
}
work=$(mktemp -d)
# one small file per entry is made in batches; on a RAM disk when there is one (far faster than most disks)
fast=$(mktemp -d -p /dev/shm 2> /dev/null || mktemp -d)
trap 'rm -rf "$work" "$fast"' EXIT`;

export const STEPS: readonly ScriptStep[] = [
  {
    title: 'The CA is the one you expect (before anything else)',
    why: `Everything below trusts certs/ca.crt, and whoever wrote this directory chose that file. So its
SHA-256 fingerprint must equal the one given as the first argument, taken from your own records (not
from this bundle), and the file must hold exactly that one certificate. The second argument pins the
gateway's signing certificate the same way, the third the TSA's audit-anchor policy OID; without them
the bundle's own certs/sign.crt and tsa-policy.txt are used, and the result says so.`,
    sh: `[ $# -ge 1 ] || fail "usage: sh verify.sh CA_SHA256 [SIGNER_SHA256 [ANCHOR_POLICY_OID]] (fingerprints from your own records)"
want_ca=$(hex64 "$1" "the CA fingerprint argument")
openssl x509 -in certs/ca.crt > "$work/ca.pem" 2> /dev/null || fail "certs/ca.crt is not a certificate"
same certs/ca.crt "$work/ca.pem" || fail "certs/ca.crt must hold exactly one certificate"
[ "$(fingerprint "$work/ca.pem")" = "$want_ca" ] || fail "certs/ca.crt has SHA-256 $(fingerprint "$work/ca.pem"), not $want_ca: not your CA"
pinned=bundle
sign_fp=$(fingerprint certs/sign.crt)
if [ $# -ge 2 ]; then
  [ "$sign_fp" = "$(hex64 "$2" "the signer fingerprint argument")" ] || fail "certs/sign.crt has SHA-256 $sign_fp, not $2"
  pinned=argument
fi
policy=""; [ -f tsa-policy.txt ] && policy=$(cat tsa-policy.txt)
[ $# -ge 3 ] && policy=$3
case $policy in *[!0-9.]*) fail "the anchor policy OID is not an OID" ;; esac
echo "CA $want_ca; signer $sign_fp (pinned by $pinned)"`,
  },
  {
    title: 'Every line is a ferry-audit/1 entry, numbered without gap',
    why: `Each line of entries.jsonl is one entry's canonical bytes, newline included. Its seq starts at
column ${SEQ_COL}; the lines must be numbered first, first+1, … with nothing missing or repeated.`,
    sh: `[ "$(tail -c 1 entries.jsonl | od -An -tx1 | tr -d ' ')" = 0a ] || fail "entries.jsonl does not end with a newline"
[ "$(cut -c1-${PREV_HEX_OFFSET} entries.jsonl | sort -u)" = '["ferry-audit/1","' ] || fail "a line of entries.jsonl is not a ferry-audit/1 entry"
first=$(head -n 1 entries.jsonl | cut -c${SEQ_COL}- | cut -d, -f1)
case $first in ''|*[!0-9]*) fail "the first entry has no seq" ;; esac
count=$(wc -l < entries.jsonl)
[ "$count" -gt 0 ] || fail "entries.jsonl is empty"
last=$(expr "$first" + "$count" - 1)
cut -c${SEQ_COL}- entries.jsonl | cut -d, -f1 > "$work/seqs"
seq "$first" "$last" > "$work/want"
same "$work/seqs" "$work/want" || fail "line $(firstdiff "$work/seqs" "$work/want") of entries.jsonl is not entry $first + line - 1 (entries removed, inserted or reordered)"
echo "entries $first..$last ($count)"`,
  },
  {
    title: 'Every entry hashes to its value in hashes.sha256',
    why: `split cuts entries.jsonl into one file per entry, named by seq (${B} at a time, so the temporary
space stays small); sha256sum -c recomputes each entry's SHA-256 and names every entry whose bytes changed.`,
    sh: `seq -f 'entries/%0${W}.0f' "$first" "$last" > "$work/want"
cut -c67- hashes.sha256 > "$work/names"
same "$work/names" "$work/want" || fail "hashes.sha256 does not list entries $first..$last in order"
split -l ${B} -a 8 -d entries.jsonl "$work/chunk."
split -l ${B} -a 8 -d hashes.sha256 "$work/sums."
n=$first
for c in "$work"/chunk.*; do
  mkdir "$fast/entries"
  split -l 1 -a ${W} --numeric-suffixes="$n" "$c" "$fast/entries/"
  (cd "$fast" && sha256sum --quiet -c "$work/sums.\${c##*.}") || fail "the entries named FAILED above were altered"
  rm -r "$fast/entries" "$c"
  n=$(expr "$n" + ${B})
done
echo "every entry hashes to its listed value"`,
  },
  {
    title: 'Every entry links to the one before it',
    why: `Each entry carries its predecessor's hash at columns ${PREV_COLS}. The first one must carry the
prefix (prefix.txt: the hash of the entry before this export, or 64 zeros at the genesis); each later
one the hash of the line before. A changed, removed, inserted or reordered entry breaks a link here.`,
    sh: `prefix=$(cat prefix.txt)
case $prefix in *[!0-9a-f]*) fail "prefix.txt is not hex" ;; esac
[ "$(printf %s "$prefix" | wc -c)" -eq 64 ] || fail "prefix.txt is not a SHA-256"
cut -c${PREV_COLS} entries.jsonl > "$work/prevs"
{ echo "$prefix"; head -n -1 hashes.sha256 | cut -c1-64; } > "$work/links"
same "$work/prevs" "$work/links" || fail "entry $(expr "$first" + "$(firstdiff "$work/prevs" "$work/links")" - 1) does not link to the entry before it"
echo "every entry links to the one before; entry $first links to prefix $prefix"`,
  },
  {
    title: 'Every anchor covers its entry and verifies with openssl',
    why: `anchors.txt lists "<entry> <seq> <kind> <time>": the audit.anchor entry, the head it covers and
the entry's time. head.bin must be exactly the head record of entry <seq> ("${HEAD_FORMAT} seq=<seq>
hash=<its hash>"). A signature anchor is an ECDSA signature over record.bin, which must be exactly
"${ANCHOR_RECORD_FORMAT} seq=<seq> hash=<its hash> at=<time> signer=<SHA-256 of signer.crt>", by the
pinned signing certificate (certs/sign.crt), which must chain to the CA: another key, even with a
certificate from the same CA, fails here. An rfc3161 anchor is a time-stamp token whose message imprint
is SHA-256(head.bin), issued under the audit-anchor policy OID, which the public /tsa never issues
under. openssl checks both at the current time; once a certificate has expired, add -attime <epoch
seconds> to check it at anchor time.`,
    sh: `untrusted=""; [ -f certs/tsa.crt ] && untrusted="-untrusted certs/tsa.crt"
# the hash of every anchored seq, looked up in one pass with join (both lists sorted by zero-padded seq)
seq -f '%0${W}.0f' "$first" "$last" > "$work/pseqs"
cut -c1-64 hashes.sha256 | paste -d ' ' "$work/pseqs" - > "$work/byseq"
while read -r entry hseq kind at <&3; do
  case "$entry" in ''|0*|*[!0-9]*) fail "anchors.txt: bad entry number" ;; esac
  case "$hseq" in ''|0*|*[!0-9]*) fail "anchors.txt: bad seq" ;; esac
  case "$at" in [0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]T[0-9][0-9]:[0-9][0-9]:[0-9][0-9].[0-9][0-9][0-9]Z) ;; *) fail "anchors.txt: bad time" ;; esac
  printf '%0${W}d %s %s %s\\n' "$hseq" "$entry" "$kind" "$at"
done 3< anchors.txt > "$work/anchors"
sort "$work/anchors" | join - "$work/byseq" > "$work/anchored"
[ "$(wc -l < "$work/anchored")" -eq "$(wc -l < anchors.txt)" ] || fail "an anchor in anchors.txt covers a seq outside entries $first..$last"
anchored=0; anchors=0; signed=0
while read -r pseq entry kind at h <&3; do
  hseq=$(expr "$pseq" + 0)
  d="anchors/$entry"
  printf '${HEAD_FORMAT} seq=%s hash=%s\\n' "$hseq" "$h" > "$work/head"
  same "$work/head" "$d/head.bin" || fail "$d/head.bin is not the head record of entry $hseq"
  case $kind in
    signature)
      [ "$(fingerprint "$d/signer.crt")" = "$sign_fp" ] || fail "$d: signed by the certificate $(fingerprint "$d/signer.crt"), not the pinned signer $sign_fp"
      openssl verify -CAfile "$work/ca.pem" "$d/signer.crt" > /dev/null || fail "$d/signer.crt does not chain to the CA"
      printf '${ANCHOR_RECORD_FORMAT} seq=%s hash=%s at=%s signer=%s\\n' "$hseq" "$h" "$at" "$sign_fp" > "$work/record"
      same "$work/record" "$d/record.bin" || fail "$d/record.bin is not the anchor record of entry $hseq at $at"
      openssl x509 -in "$d/signer.crt" -pubkey -noout > "$work/pub.pem"
      openssl dgst -sha256 -verify "$work/pub.pem" -signature "$d/signature.der" "$d/record.bin" > /dev/null || fail "$d: the signature does not verify"
      signed=$(expr "$signed" + 1)
      echo "anchor $entry: seq $hseq at $at signed by $(openssl x509 -in "$d/signer.crt" -noout -subject -nameopt RFC2253)" ;;
    rfc3161)
      [ -n "$policy" ] || fail "$d: no anchor policy OID to check the token against (give it as the third argument)"
      openssl ts -verify -data "$d/head.bin" -in "$d/token.tst" -token_in -CAfile "$work/ca.pem" $untrusted > "$work/ts.out" 2>&1 \\
        || { cat "$work/ts.out" >&2; fail "$d: the time-stamp token does not verify"; }
      openssl ts -reply -in "$d/token.tst" -token_in -text > "$work/tst.txt" 2> /dev/null
      got=""; stamp=""
      while IFS= read -r line; do
        case $line in 'Policy OID: '*) got=\${line#Policy OID: } ;; 'Time stamp: '*) stamp=$line ;; esac
      done < "$work/tst.txt"
      [ "$got" = "$policy" ] || fail "$d: the token was issued under policy $got, not the anchor policy $policy (a token from the public /tsa is no anchor)"
      echo "anchor $entry: seq $hseq $stamp" ;;
    *) fail "anchors.txt: unknown anchor kind $kind" ;;
  esac
  anchors=$(expr "$anchors" + 1)
  if [ "$hseq" -gt "$anchored" ]; then anchored=$hseq; fi
done 3< "$work/anchored"
[ "$anchors" -gt 0 ] || fail "no anchor: nothing ties these entries to the gateway key or a TSA"
[ "$signed" -gt 0 ] || fail "no signature anchor: nothing ties these entries to the gateway's key"`,
  },
  {
    title: 'Result',
    why: `Entries up to the last anchor are proven: each is unchanged, in order, with none missing, from the
prefix to an anchored head. Entries after the last anchor rest on the chain alone.`,
    sh: `echo "OK: entries $first..$last link from prefix $prefix; $anchors anchor(s) verified, the last covering seq $anchored"
if [ "$pinned" = bundle ]; then echo "NOTE: the signer was pinned by this bundle's certs/sign.crt only; give its SHA-256 from your records as the second argument"; fi
if [ "$anchored" -lt "$last" ]; then echo "NOTE: entries $(expr "$anchored" + 1)..$last are chained but not anchored"; fi
exit 0`,
  },
];

/** verify.sh: the steps in order, run from the bundle directory wherever it is called from. */
export function verifyScript(): string {
  const body = STEPS.map((s, i) => `# ${i + 1}. ${s.title}\n${s.sh}`).join('\n\n');
  return `#!/bin/sh\n# Checks this Ferry audit export with openssl and GNU coreutils only; VERIFY.md explains each step.\ncd "$(dirname "$0")"\n${SETUP}\n\n${body}\n`;
}

export interface VerifyDocFacts {
  readonly first: number;
  readonly last: number;
  readonly requestedLast: number;
  readonly prefixHex: string;
  readonly anchors: number;
  readonly anchoredThrough: number;
  readonly from: Date;
  readonly to: Date;
  /** Fingerprints and OID of the exporting side, shown for comparison with the reader's own records. */
  readonly caSha256: string;
  readonly signSha256: string;
  readonly anchorPolicyOid?: string;
}

/** VERIFY.md: what the export proves and the exact commands, one fenced block per step. */
export function verifyDoc(f: VerifyDocFacts): string {
  const extended = f.last > f.requestedLast
    ? `Entries ${f.requestedLast + 1}..${f.last} lie after the requested period; they are included so that the period ends at an anchor.\n`
    : '';
  const steps = STEPS.map((s, i) => `### ${i + 1}. ${s.title}\n\n${s.why}\n\n\`\`\`sh\n${s.sh}\n\`\`\`\n`).join('\n');
  return `# Verifying this Ferry audit export

This directory is an extract of one Ferry gateway's tamper-evident audit chain: entries **${f.first}..${f.last}**
(recorded ${f.from.toISOString()} .. ${f.to.toISOString()}), with **${f.anchors}** anchor(s), the last
covering entry **${f.anchoredThrough}**. ${extended}
It can be checked with \`openssl\` and GNU coreutils alone; no Ferry software is needed.

## What a successful check proves
- Every entry is exactly as the gateway wrote it, in order, none missing or added, from the entry after
  the **prefix** to the last anchor. The prefix (\`prefix.txt\`) is the hash of entry ${f.first - 1}: the
  export proves continuity from that point on, not what came before it. ${f.first === 1 ? 'Here the prefix is 64 zeros: this export starts at the genesis, so it covers the whole history up to its last entry.' : `To join it to the previous export, check that \`prefix.txt\` equals that export's hash of entry ${f.first - 1} (the last line of its \`hashes.sha256\`, when the two are contiguous).`}
- Each anchor shows that the chain head it names existed then: signed by the gateway's audit key, or
  time-stamped by the TSA (which also proves *when*). A holder of the database could rewrite entries
  and re-hash the chain, but could not make the anchors match the rewritten hashes.
- Entries after the last anchor (if any) are only chained: nothing outside the gateway vouches for them yet.

## Files
| file | content |
|---|---|
| \`entries.jsonl\` | one entry per line, the exact bytes hashed: \`["ferry-audit/1","<prev_hash>",<seq>,"<at>",<actor>,<action>,<subject>,<detail>]\` |
| \`hashes.sha256\` | SHA-256 of each entry (\`sha256sum\` format, named \`entries/<seq>\`) |
| \`prefix.txt\` | prev_hash of the first entry (hash of entry ${f.first - 1}; zeros = genesis) |
| \`anchors.txt\` | \`<entry> <seq> <kind> <time>\` per anchor |
| \`anchors/<entry>/head.bin\` | the anchored head record \`${HEAD_FORMAT} seq=<seq> hash=<hex>\` |
| \`anchors/<entry>/record.bin\`, \`signature.der\`, \`signer.crt\` | signature anchor: the record \`${ANCHOR_RECORD_FORMAT} seq=… hash=… at=… signer=…\`, the ECDSA/SHA-256 signature over it, the signer's certificate |
| \`tsa-policy.txt\` | the policy OID audit anchors are time-stamped under (never issued at the public /tsa) |
| \`anchors/<entry>/token.tst\` | rfc3161 anchor: the TimeStampToken (DER) over head.bin |
| \`certs/ca.crt\`, \`certs/sign.crt\`, \`certs/tsa.crt\` | the deployment CA, the gateway's signing certificate, the TSA certificate |
| \`verify.sh\` | the commands below, in one script |

## The check
Run \`sh verify.sh <CA SHA-256> <signer SHA-256> <anchor policy OID>\` (read it first: it is exactly the
commands below), or in this directory set \`$1 $2 $3\` (\`set -- …\`) and paste the blocks below in order
into \`sh\`. Take the three values from your own records of the deployment, never from this bundle. The
exporting gateway reported: CA \`${f.caSha256}\`, signer \`${f.signSha256}\`${f.anchorPolicyOid ? `, anchor policy \`${f.anchorPolicyOid}\`` : ''}.
Each step stops with \`FAILED: …\` naming what does not hold.
The last line should read: \`OK: entries ${f.first}..${f.last} link from prefix ${f.prefixHex}; ${f.anchors} anchor(s) verified, the last covering seq ${f.anchoredThrough}\`.

### 0. Setup

\`\`\`sh
${SETUP}
\`\`\`

${steps}`;
}
