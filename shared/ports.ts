/**
 * Small interfaces ("ports") that services depend on. Adapters in shared/storage and
 * shared/azure implement them; tests and the local run plug in the same adapters.
 */

/** Structured logging with stable keys: `event` names what happened, fields carry counts and ids. */
export interface Logger {
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  error(event: string, fields?: Record<string, unknown>): void;
}

/** Wall-clock time, injectable. Only used where event time cannot be (e.g. audit stamps). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/** A logger that drops everything, for callers that have nowhere to log. */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
