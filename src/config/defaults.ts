// Named defaults of the config keys that no area's own limits file holds (link, time, inspection,
// operator, audit and connection defaults live in their areas' limits files; config imports them).

/** Packets an outbox may hold before new work is refused (503 on the API, held on the intranet):
 *  a day of a busy centre's submissions, so a link outage of hours loses nothing; /health warns at 80 %. */
export const DEFAULT_MAX_OUTBOX = 100_000;

/** tsa.accuracyMs: under a second, genTime carries milliseconds: a whole-second genTime truncates and
 *  can read as earlier than the moment the applicant submitted. 100 ms is well above the trusted
 *  clock's tolerance on a LAN. */
export const DEFAULT_TSA_ACCURACY_MS = 100;
/** tsa.serialBlock: serial numbers reserved per database write; a restart skips at most this many. */
export const DEFAULT_TSA_SERIAL_BLOCK = 100;

/** notify.*: the SMS gateway's webhook. "" = notifications queue up but are not sent. A message is
 *  retried with doubling backoff from 1 s up to an hour apart, 50 times (about 40 hours of SMS
 *  gateway outage), each attempt given 5 s. */
export const DEFAULT_NOTIFY = Object.freeze({ url: '', timeoutMs: 5_000, maxAttempts: 50, backoffBaseMs: 1_000, backoffCapMs: 3_600_000 });

/** log.level */
export const DEFAULT_LOG_LEVEL = 'info';
