package health.ward.server;

import health.ward.auth.IssuedToken;
import health.ward.cli.WardApp;
import health.ward.cli.WardConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;

/**
 * The HTTP contract against the whole of Ward: the real records service, vault, ledger and API
 * tokens over an embedded PostgreSQL, opened through the composition root {@link WardApp} with
 * fresh data and key directories, behind a real {@link FhirServer} on a free port.
 */
class WardFhirEndToEndTest extends FhirRestContract {
  @Override
  FhirTarget openTarget() throws Exception {
    Path root = Files.createTempDirectory("ward-e2e");
    Path data = root.resolve("data");
    Path keys = root.resolve("keys");
    WardApp app = WardApp.open(WardConfig.defaults(data, keys).withPassphrase("e2e-passphrase-not-secret".toCharArray()));
    try {
      IssuedToken token = app.tokens().create("server-e2e");
      ServerConfig cfg = ServerConfig.selfSigned(data.resolve("tls")).withPort(0);
      FhirServer server = new FhirServer(app.records(), app.authenticator(), cfg).start();
      String secret = token.secret().reveal();
      return new FhirTarget() {
        @Override public String fhirBase() { return server.baseUrl(); }
        @Override public String token() { return secret; }
        @Override public long maxBodyBytes() { return cfg.maxBodyBytes(); }
        @Override public void close() {
          try {
            server.close();
          } finally {
            app.close();
            deleteTree(root);
          }
        }
      };
    } catch (RuntimeException e) {
      app.close();
      throw e;
    }
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      // a temp directory left behind is not a test failure
    }
  }
}
