package health.ward.server;

import java.lang.reflect.Method;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The HTTP contract against the whole of Ward (records service, vault, ledger, embedded
 * PostgreSQL) started by the shared test fixture {@code health.ward.cli.TestWard}. Skipped while
 * that fixture is not on the class path; looked up reflectively so this package compiles without it.
 */
@EnabledIf("testWardPresent")
class WardFhirEndToEndTest extends FhirRestContract {
  static final String FIXTURE = "health.ward.cli.TestWard";

  static boolean testWardPresent() {
    try {
      Class.forName(FIXTURE);
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  @Override
  FhirTarget openTarget() throws Exception {
    Class<?> fixture = Class.forName(FIXTURE);
    Method start = fixture.getMethod("start");
    start.setAccessible(true);
    Object ward = start.invoke(null);
    Method fhirBase = ward.getClass().getMethod("fhirBase");
    Method token = ward.getClass().getMethod("token");
    Method close = ward.getClass().getMethod("close");
    fhirBase.setAccessible(true);
    token.setAccessible(true);
    close.setAccessible(true);
    String base = String.valueOf(fhirBase.invoke(ward)).replaceAll("/$", "");
    String tok = String.valueOf(token.invoke(ward));
    return new FhirTarget() {
      @Override public String fhirBase() { return base; }
      @Override public String token() { return tok; }
      @Override public long maxBodyBytes() { return ServerConfig.DEFAULT_MAX_BODY_BYTES; }
      @Override public void close() {
        try {
          close.invoke(ward);
        } catch (ReflectiveOperationException e) {
          throw new IllegalStateException(e);
        }
      }
    };
  }
}
