// The clock every stage receives, never Date.now() directly: tests inject one, the gateways pass the
// trusted clock (src/time/trusted-clock.ts) once trusted time lands in the pipeline.
export interface Clock { now(): Date }

export const systemClock: Clock = { now: () => new Date() };
