// Durations as chronyc prints them: the largest of ns, us, ms, s that keeps at most four digits.

const UNITS: readonly { readonly name: string; readonly perMs: number }[] = [
  { name: 'ns', perMs: 1e6 },
  { name: 'us', perMs: 1e3 },
  { name: 'ms', perMs: 1 },
];

/** `formatDuration(0.0123) === '12us'`, `formatDuration(2500) === '2500ms'`, `formatDuration(300000) === '300s'`. */
export function formatDuration(ms: number): string {
  const abs = Math.abs(ms);
  for (const unit of UNITS) {
    const scaled = Math.round(abs * unit.perMs);
    if (scaled <= 9999) return `${scaled}${unit.name}`;
  }
  return `${Math.round(abs / 1000)}s`;
}

/** Signed, as chronyc prints offsets: `+12us`, `-300s`. */
export function formatOffset(ms: number): string {
  return `${ms < 0 ? '-' : '+'}${formatDuration(ms)}`;
}
