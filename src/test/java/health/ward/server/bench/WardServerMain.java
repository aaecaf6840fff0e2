package health.ward.server.bench;

import health.ward.access.Principal;
import health.ward.cli.WardApp;
import health.ward.cli.WardConfig;
import health.ward.records.RequestContext;
import health.ward.server.FhirServer;
import health.ward.server.ServerConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import org.hl7.fhir.r4.model.Patient;

/**
 * The whole of Ward behind the FHIR server on a fixed port, for load tests: fresh data and key
 * directories, one stored Patient. Prints the base URL, a bearer token and the Patient's id.
 * Usage: WardServerMain <port>.
 */
public final class WardServerMain {
  public static void main(String[] args) throws Exception {
    Path root = Files.createTempDirectory("ward-bench");
    WardApp app = WardApp.open(WardConfig.defaults(root.resolve("data"), root.resolve("keys"))
        .withPassphrase("bench-passphrase-not-secret".toCharArray()));
    String token = app.tokens().create("bench").secret().reveal();
    Patient p = new Patient();
    p.addName().setFamily("Bench").addGiven("Mark");
    String id = app.records().create(RequestContext.local(Principal.operator("bench")), p, null).id();
    FhirServer server = new FhirServer(app.records(), app.transparency(), app.authenticator(),
        ServerConfig.selfSigned(root.resolve("data").resolve("tls")).withPort(Integer.parseInt(args[0]))).start();
    System.out.println("ready " + server.baseUrl() + " " + token + " Patient/" + id);
    Thread.sleep(Long.MAX_VALUE);
  }
}
