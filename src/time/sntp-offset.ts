// Clock offset and round-trip delay from the four timestamps of one exchange (RFC 5905 §8). Pure.
//   T1 our clock when the request left      T2 server clock when it arrived
//   T3 server clock when the reply left     T4 our clock when the reply arrived
// T1 and T4 come from OUR clock, never from the packet: our request carries random bytes, not T1.

import { ntpToUnixMs, type SntpReply } from './sntp-packet.js';

export interface ExchangeTimes {
  readonly t1: number;
  readonly t2: number;
  readonly t3: number;
  readonly t4: number;
}

export interface OffsetDelay {
  /** θ: how far the server's clock is ahead of ours (positive: our clock is slow). */
  readonly offsetMs: number;
  /** δ: round-trip time on the network, the server's own holding time taken out. */
  readonly delayMs: number;
}

/** One accepted measurement of one server. */
export interface SntpSample extends OffsetDelay {
  readonly ok: true;
  readonly stratum: number;
  readonly leap: number;
  readonly referenceId: string;
  readonly rootDelayMs: number;
  readonly rootDispersionMs: number;
  /** The exchange in Unix milliseconds (T2, T3 converted from the server's NTP timestamps). */
  readonly times: ExchangeTimes;
}

/** RFC 5905 §8: θ = ((T2−T1) + (T3−T4)) / 2 and δ = (T4−T1) − (T3−T2).
 *  θ is exact when the two directions take equal time; otherwise it errs by half the difference
 *  between them, which is never more than δ/2 — the bound the selection's intervals use. */
export function computeOffset(t: ExchangeTimes): OffsetDelay {
  const offsetMs = (t.t2 - t.t1 + (t.t3 - t.t4)) / 2;
  const rawDelay = t.t4 - t.t1 - (t.t3 - t.t2);
  // A negative delay can only be clock granularity (e.g. T4−T1 read as 0 ms on loopback while the
  // server held the packet 20 µs). RFC 5905 clamps δ to the clock precision; zero is our floor.
  return { offsetMs, delayMs: Math.max(0, rawDelay) };
}

/** A sample from a decoded reply and our own send/receive readings, all in Unix milliseconds. */
export function sampleFromReply(reply: SntpReply, t1: number, t4: number): SntpSample {
  // The server's timestamps carry no era; resolve it against T1 (RFC 5905 §6).
  const times: ExchangeTimes = {
    t1,
    t2: ntpToUnixMs(reply.receiveTimestamp, t1),
    t3: ntpToUnixMs(reply.transmitTimestamp, t1),
    t4,
  };
  const { offsetMs, delayMs } = computeOffset(times);
  return {
    ok: true,
    offsetMs,
    delayMs,
    stratum: reply.stratum,
    leap: reply.leap,
    referenceId: reply.referenceId,
    rootDelayMs: reply.rootDelayMs,
    rootDispersionMs: reply.rootDispersionMs,
    times,
  };
}

/** Root synchronisation distance λ = δ/2 + root delay/2 + root dispersion (RFC 5905 §11.2, without
 *  the jitter and aging terms a one-shot client has no history for): how far this sample can be
 *  from true time if the server is honest. */
export function rootDistanceMs(sample: SntpSample): number {
  return sample.delayMs / 2 + sample.rootDelayMs / 2 + sample.rootDispersionMs;
}
