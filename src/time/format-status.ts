// `ferry time status`: the sources table as `chronyc sources -v` prints it, then a summary in the shape
// of `chronyc tracking`, then the verdict and why. Pure: status in, text out.

import { formatDuration, formatOffset } from './format-duration.js';
import type { SourceRow } from './selection.js';
import type { TimeStatus } from './trusted-clock.js';

const LEGEND = [
  '  .-- Source mode  \'^\' = server',
  ' / .- Source state \'*\' = selected (best agreeing), \'+\' = agreeing (in the median), \'x\' = falseticker,',
  '| /                \'-\' = answered but no group selected, \'?\' = unreachable or refused',
  '||   Offset: how far the source is ahead of this host.  Root dist: delay/2 + root delay/2 + root dispersion.',
  '||',
];
const HEADER = 'MS Name/IP address              Stratum     Offset     Delay  Root dist  Note';
const RULE = '='.repeat(HEADER.length + 10);

export function formatTimeStatus(status: TimeStatus): string {
  const lines = [...LEGEND, HEADER, RULE, ...status.rows.map(formatRow), ''];
  lines.push(field('State', status.state + (status.degradedBy.length > 0 ? ` (${status.degradedBy.join(', ')})` : '')));
  lines.push(field('Reason', status.reason));
  if (status.code !== null) lines.push(field('Code', status.code));
  lines.push(field('System time', systemTime(status)));
  lines.push(
    field('Sources', `${status.agreeing} agreeing, ${status.answering} answering, ${status.configured} configured, quorum ${status.quorum}`),
  );
  lines.push(field('Last poll', status.lastPollAt === null ? 'never' : status.lastPollAt.toISOString()));
  return lines.join('\n') + '\n';
}

function formatRow(row: SourceRow): string {
  const name = row.name === `${row.host}:${row.port}` ? row.name : `${row.name} (${row.host}:${row.port})`;
  const cells = [
    `^${row.marker} ${name.padEnd(28)}`,
    (row.stratum === null ? '-' : String(row.stratum)).padStart(8),
    (row.offsetMs === null ? '-' : formatOffset(row.offsetMs)).padStart(11),
    (row.delayMs === null ? '-' : formatDuration(row.delayMs)).padStart(10),
    (row.rootDistanceMs === null ? '-' : formatDuration(row.rootDistanceMs)).padStart(11),
  ];
  const note = row.code !== null ? `${row.code}: ${row.note}` : row.note;
  return (cells.join('') + (note === '' ? '' : `  ${note}`)).trimEnd();
}

/** chronyc tracking's "System time" line: how far the local clock is from the agreed time. */
function systemTime(status: TimeStatus): string {
  if (status.offsetMs === null) return 'unknown (no agreed offset)';
  const seconds = Math.abs(status.offsetMs) / 1000;
  // θ > 0: the sources are ahead of us, so our clock is slow.
  const side = status.offsetMs >= 0 ? 'slow' : 'fast';
  const applied = status.state === 'untrusted' ? ' (not applied: untrusted)' : '';
  return `${seconds.toFixed(9)} seconds ${side} of NTP time${applied}`;
}

function field(label: string, value: string): string {
  return `${label.padEnd(16)}: ${value}`;
}
