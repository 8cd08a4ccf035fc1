/**
 * Every failure the harness raises on purpose carries a stable `code`, so the
 * suite can record "timeout" vs "tool crashed" in the report instead of a
 * stack trace, and keep measuring the other cells.
 */
export type BenchErrorCode =
  | 'TIMEOUT'
  | 'PROCESS_EXITED'
  | 'TOOL_UNAVAILABLE'
  | 'VERIFY_MISMATCH'
  | 'BAD_OPTION'
  | 'COMMAND_FAILED'
  | 'SYNCTHING_API';

export class BenchError extends Error {
  readonly code: BenchErrorCode;

  constructor(code: BenchErrorCode, message: string) {
    super(message);
    this.name = 'BenchError';
    this.code = code;
  }
}

/** One line for the report, whatever was thrown. */
export function describeError(err: unknown): string {
  if (err instanceof BenchError) return `${err.code}: ${err.message}`;
  if (err instanceof Error) return err.message;
  return String(err);
}
