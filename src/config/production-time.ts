// What a production start refuses in a gateway's `time:` section. Stamping on untrusted time
// (`whenUntrusted: warn`) is for the demo only: `ferry start demo` writes its own configs with it and
// passes --demo; any other start with `warn` stops with exit 2 naming the file, the key and the fix.
// The shipped configs carry placeholder NTP sources under the reserved `.invalid` top-level domain
// (RFC 2606 §2), so a copied file that nobody filled in is refused too, instead of running with a clock
// that can never be trusted.
import { FerryError } from '../errors.js';

export interface TimeSectionView {
  readonly sources: readonly { readonly host: string }[];
  readonly whenUntrusted: 'hold' | 'warn';
}

/** RFC 2606 §2: `.invalid` never resolves, so it marks a value the operator must replace. */
export const PLACEHOLDER_HOST = /\.invalid\.?$/i;

export function checkProductionTime(time: TimeSectionView, file: string, demo: boolean): void {
  if (demo) return;
  if (time.whenUntrusted === 'warn') {
    throw new FerryError('FERRY_ERR_CONFIG', `${file}: time.whenUntrusted: warn stamps packets on untrusted time and is for the demo only ` +
      '(ferry start demo); set time.whenUntrusted: hold and list your NTP servers under time.sources');
  }
  const i = time.sources.findIndex((s) => PLACEHOLDER_HOST.test(s.host));
  if (i >= 0) {
    throw new FerryError('FERRY_ERR_CONFIG', `${file}: time.sources[${i}].host: ${time.sources[i]!.host} is a placeholder; ` +
      'put the addresses of your NTP servers here (three or more, time.quorum of them must agree)');
  }
}
