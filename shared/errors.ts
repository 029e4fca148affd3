/**
 * Expected failures, each with a stable code that HTTP adapters map to a status and clients
 * can match on. Anything that is not a DomainError is a bug or an infrastructure failure.
 */
export type DomainErrorCode = 'validation' | 'not_found' | 'conflict' | 'upstream' | 'unavailable' | 'configuration';

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    /** The request field (or setting) at fault, when there is one. */
    readonly field?: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class ValidationError extends DomainError {
  constructor(message: string, field?: string) {
    super('validation', message, field);
  }
}

export class NotFoundError extends DomainError {
  constructor(message: string) {
    super('not_found', message);
  }
}

/** Invalid or missing app settings; the message lists every bad setting. */
export class ConfigurationError extends DomainError {
  constructor(
    message: string,
    readonly settings: readonly string[],
  ) {
    super('configuration', message);
  }
}

/**
 * A call to another service failed: `status` is the HTTP status it answered with, undefined when
 * it did not answer (network error, timeout). A 404 is `not_found`, anything else `upstream`.
 */
export class UpstreamError extends DomainError {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(status === 404 ? 'not_found' : 'upstream', message);
  }
}

/**
 * Runs a read-modify-write until it does not lose a race: a `conflict` DomainError (someone else
 * wrote in between) makes it run again, from its read, up to `attempts` times in all.
 */
export async function retryOnConflict<T>(operation: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await operation();
    } catch (error) {
      if (!(error instanceof DomainError && error.code === 'conflict') || attempt >= attempts) throw error;
    }
  }
}
