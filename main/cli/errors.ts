/** Exit codes of the command line: 0 success, 1 a verification found a problem, 2 bad usage or input. */
export const EXIT_OK = 0;
export const EXIT_VERIFY_FAILED = 1;
export const EXIT_USAGE = 2;

/** Bad usage or bad input: one clear line on stderr, exit 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
