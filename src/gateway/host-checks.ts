// Start-up checks of the host: a gateway runs as its own unprivileged user with a strict umask.
import { FerryError } from '../errors.js';
import type { Logger } from './logger.js';

export function hardenProcess(allowRoot: boolean, log: Logger): void {
  // Files the gateway creates (SQLite, WAL, exports) are for the service user alone.
  process.umask(0o077);
  if (typeof process.getuid === 'function' && process.getuid() === 0) {
    if (!allowRoot) {
      throw new FerryError('FERRY_ERR_CONFIG', 'refusing to run as root: run as the service user, or pass --allow-root (development only)');
    }
    log.warn({ uid: 0 }, 'running as root (allowed by --allow-root / allowRoot): development only');
  }
}
