package health.ward.cli;

import health.ward.common.WardException;

/** The exit codes of {@code ward}; {@link #of} is the one mapping from Ward's error family. */
final class ExitCodes {
  static final int OK = 0;
  /** Some of the work failed and was reported (e.g. bundles skipped by {@code ward import}). */
  static final int PARTLY_FAILED = 1;
  static final int USAGE = 2;
  static final int DENIED = 3;
  static final int NOT_FOUND = 4;
  static final int INTEGRITY = 5;
  static final int UNAVAILABLE = 6;
  /** A bug: an exception outside Ward's error family (EX_SOFTWARE of sysexits.h). */
  static final int INTERNAL = 70;

  private ExitCodes() {}

  static int of(WardException e) {
    return switch (e.code()) {
      case INVALID_REQUEST, INVALID_RESOURCE, VERSION_CONFLICT, TOO_LARGE, RATE_LIMITED -> USAGE;
      case UNAUTHENTICATED, FORBIDDEN -> DENIED;
      case NOT_FOUND, GONE -> NOT_FOUND;
      case INTEGRITY_FAILURE -> INTEGRITY;
      case LEDGER_UNAVAILABLE, KEY_UNAVAILABLE, STORE_UNAVAILABLE -> UNAVAILABLE;
    };
  }
}
