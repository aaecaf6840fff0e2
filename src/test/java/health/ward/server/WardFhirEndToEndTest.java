package health.ward.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import health.ward.auth.IssuedToken;
import health.ward.cli.WardApp;
import health.ward.cli.WardConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.net.http.HttpResponse;
import java.util.Comparator;
import java.util.List;
import java.util.zip.GZIPInputStream;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

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

  static final Path SYNTHEA = Path.of("..", "shared", "data", "synthea-small");

  /** A Synthea patient, with the organisations and practitioners it references, arrives over HTTP. */
  @Test
  void syntheaBundles_postedToTheBase_areStoredAndSearchable() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(SYNTHEA), "no Synthea sample data");
    for (String prefix : List.of("hospitalInformation", "practitionerInformation", "Jarvis643_Koss676")) {
      Path file;
      try (var files = Files.list(SYNTHEA)) {
        file = files.filter(f -> f.getFileName().toString().startsWith(prefix)).findFirst().orElseThrow();
      }
      String json;
      try (var in = new GZIPInputStream(Files.newInputStream(file))) {
        json = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      }
      Bundle sent = (Bundle) FHIR.newJsonParser().parseResource(json);
      HttpResponse<String> r = post("", json);
      assertEquals(200, r.statusCode(), () -> prefix + ": " + r.body().substring(0, Math.min(600, r.body().length())));
      Bundle answer = (Bundle) parse(r);
      assertEquals(sent.getEntry().size(), answer.getEntry().size(), prefix);
    }
    Bundle found = (Bundle) parse(get("Patient?family=Koss676"));
    assertEquals(1, found.getTotal());
  }

  private static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (java.io.IOException e) {
      // a temp directory left behind is not a test failure
    }
  }
}
