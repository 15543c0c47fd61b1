// Which thrown errors are storage faults (the disk, the SQLite file), and which of Ferry's codes each
// answers with. A storage fault on a request path is the environment, not a bug: the client is told
// 503 with Retry-After (nothing was accepted: the transaction rolled back), never 500.

/** SQLite's extended result codes start with the primary one (SQLITE_IOERR_WRITE → SQLITE_IOERR). */
const SQLITE_UNAVAILABLE = ['SQLITE_IOERR', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_READONLY', 'SQLITE_CANTOPEN', 'SQLITE_CORRUPT', 'SQLITE_NOTADB', 'SQLITE_PROTOCOL', 'SQLITE_NOLFS'];
/** fs errors that say the disk, not the request, is at fault. */
const FS_FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);
const FS_UNAVAILABLE = new Set(['EIO', 'EROFS', 'EMFILE', 'ENFILE', 'ESTALE', 'EBUSY']);

export type StorageFault = 'FERRY_ERR_STORE_FULL' | 'FERRY_ERR_STORE_UNAVAILABLE';

/** Clients come back after this many seconds: long enough for an operator's alert to fire. */
export const STORAGE_RETRY_AFTER_S = 60;

/** The storage fault `e` is, or null when it is something else. Looks through `cause` (one level of
 *  wrapping by a caller that added context). */
export function storageFault(e: unknown): StorageFault | null {
  for (let x: unknown = e, depth = 0; x && typeof x === 'object' && depth < 3; x = (x as { cause?: unknown }).cause, depth++) {
    const code = (x as { code?: unknown }).code;
    if (typeof code !== 'string') continue;
    if (code === 'SQLITE_FULL' || code.startsWith('SQLITE_IOERR_NOSPC') || FS_FULL.has(code)) return 'FERRY_ERR_STORE_FULL';
    if (SQLITE_UNAVAILABLE.some((p) => code === p || code.startsWith(`${p}_`)) || FS_UNAVAILABLE.has(code)) return 'FERRY_ERR_STORE_UNAVAILABLE';
  }
  return null;
}

