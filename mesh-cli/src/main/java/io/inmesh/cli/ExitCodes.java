package io.inmesh.cli;

/** The exit codes every {@code mesh} subcommand uses, so that scripts can tell a bad input from a crash. */
final class ExitCodes {
  /** The command did what was asked (a valid configuration, for {@code validate}). */
  static final int OK = 0;
  /** The input was checked and rejected (an invalid configuration); the reasons were printed. */
  static final int INVALID = 1;
  /** Bad arguments or options; picocli's default for parameter errors. */
  static final int USAGE = 2;
  /** A bug in mesh itself: the stack trace was printed to stderr. */
  static final int INTERNAL_ERROR = 3;

  private ExitCodes() {}
}
