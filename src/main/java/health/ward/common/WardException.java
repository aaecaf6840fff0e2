package health.ward.common;

/**
 * The one error family of Ward. Each case has a stable {@link Code}; the HTTP layer and the CLI map
 * the cases in one exhaustive {@code switch} each. Messages never contain PHI or key material: they
 * name resource types, logical ids, parameters and files, nothing from inside a record.
 */
public abstract sealed class WardException extends RuntimeException
    permits WardException.NotFound,
        WardException.Gone,
        WardException.Unauthenticated,
        WardException.Forbidden,
        WardException.InvalidResource,
        WardException.InvalidRequest,
        WardException.VersionConflict,
        WardException.TooLarge,
        WardException.RateLimited,
        WardException.IntegrityFailure,
        WardException.LedgerUnavailable,
        WardException.KeyUnavailable,
        WardException.StoreUnavailable {

  /** Stable codes; they appear in OperationOutcome details and in CLI messages. */
  public enum Code {
    NOT_FOUND,
    GONE,
    UNAUTHENTICATED,
    FORBIDDEN,
    INVALID_RESOURCE,
    INVALID_REQUEST,
    VERSION_CONFLICT,
    TOO_LARGE,
    RATE_LIMITED,
    INTEGRITY_FAILURE,
    LEDGER_UNAVAILABLE,
    KEY_UNAVAILABLE,
    STORE_UNAVAILABLE
  }

  private WardException(String message, Throwable cause) {
    super(message, cause, false, false);
  }

  public abstract Code code();

  /** Too many attempts from one address or at one account; try again later. */
  public static final class RateLimited extends WardException {
    public RateLimited(String message) { super(message, null); }
    @Override public Code code() { return Code.RATE_LIMITED; }
  }

  /** The resource or version does not exist. */
  public static final class NotFound extends WardException {
    public NotFound(String message) { super(message, null); }
    @Override public Code code() { return Code.NOT_FOUND; }
  }

  /** The resource existed and was deleted. */
  public static final class Gone extends WardException {
    public Gone(String message) { super(message, null); }
    @Override public Code code() { return Code.GONE; }
  }

  /** No credentials, or credentials that are unknown, expired or revoked. */
  public static final class Unauthenticated extends WardException {
    public Unauthenticated(String message) { super(message, null); }
    @Override public Code code() { return Code.UNAUTHENTICATED; }
  }

  /** The principal is known but the policy denies the action. */
  public static final class Forbidden extends WardException {
    public Forbidden(String message) { super(message, null); }
    @Override public Code code() { return Code.FORBIDDEN; }
  }

  /** A resource body that cannot be parsed or is not acceptable (wrong type, bad id, broken reference). */
  public static final class InvalidResource extends WardException {
    public InvalidResource(String message) { super(message, null); }
    public InvalidResource(String message, Throwable cause) { super(message, cause); }
    @Override public Code code() { return Code.INVALID_RESOURCE; }
  }

  /** A request that is malformed apart from its body: unknown search parameter, bad id, bad paging. */
  public static final class InvalidRequest extends WardException {
    public InvalidRequest(String message) { super(message, null); }
    @Override public Code code() { return Code.INVALID_REQUEST; }
  }

  /** An update whose expected version is not the current one. */
  public static final class VersionConflict extends WardException {
    public VersionConflict(String message) { super(message, null); }
    @Override public Code code() { return Code.VERSION_CONFLICT; }
  }

  /** A body over the configured size limit. */
  public static final class TooLarge extends WardException {
    public TooLarge(String message) { super(message, null); }
    @Override public Code code() { return Code.TOO_LARGE; }
  }

  /** A stored ciphertext, MAC or chain hash failed verification: the data was altered or moved. */
  public static final class IntegrityFailure extends WardException {
    public IntegrityFailure(String message) { super(message, null); }
    public IntegrityFailure(String message, Throwable cause) { super(message, cause); }
    @Override public Code code() { return Code.INTEGRITY_FAILURE; }
  }

  /** The audit ledger could not durably take an entry; the request is refused (fail closed). */
  public static final class LedgerUnavailable extends WardException {
    public LedgerUnavailable(String message, Throwable cause) { super(message, cause); }
    @Override public Code code() { return Code.LEDGER_UNAVAILABLE; }
  }

  /** A key could not be loaded, unwrapped or created; the request is refused (fail closed). */
  public static final class KeyUnavailable extends WardException {
    public KeyUnavailable(String message) { super(message, null); }
    public KeyUnavailable(String message, Throwable cause) { super(message, cause); }
    @Override public Code code() { return Code.KEY_UNAVAILABLE; }
  }

  /** The database could not be reached or refused the operation. */
  public static final class StoreUnavailable extends WardException {
    public StoreUnavailable(String message, Throwable cause) { super(message, cause); }
    @Override public Code code() { return Code.STORE_UNAVAILABLE; }
  }
}
