package health.ward.cli;

import health.ward.records.RecordsService;
import javax.sql.DataSource;

/**
 * The composition root: opens the database, keys, vault, ledger and records service in the right
 * order and closes them in reverse. Used by every command and by the tests. SKELETON.
 */
public final class WardApp implements AutoCloseable {

  /** Opens everything below HTTP. Throws a WardException with a clear message on any failure. */
  public static WardApp open(WardConfig config) {
    throw new UnsupportedOperationException("skeleton");
  }

  public RecordsService records() {
    throw new UnsupportedOperationException("skeleton");
  }

  /** The API tokens (authenticator of the FHIR server, and `ward token`). */
  public health.ward.auth.Authenticator authenticator() {
    throw new UnsupportedOperationException("skeleton");
  }

  public DataSource dataSource() {
    throw new UnsupportedOperationException("skeleton");
  }

  public WardConfig config() {
    throw new UnsupportedOperationException("skeleton");
  }

  @Override
  public void close() {}
}
