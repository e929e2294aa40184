// Errors the command line turns into exit codes: a UsageError (a mistake in the
// command or its input) is one line on stderr and exit code 2.

export class UsageError extends Error {}

/** The problems were printed already; exit with code 2 and print nothing more. */
export class ReportedError extends Error {
  constructor() {
    super("reported");
  }
}
