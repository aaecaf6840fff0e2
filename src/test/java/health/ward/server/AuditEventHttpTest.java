package health.ward.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import health.ward.access.Role;
import health.ward.cli.TestApps;
import health.ward.cli.WardApp;
import java.net.http.HttpClient;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import org.hl7.fhir.r4.model.AuditEvent;
import org.hl7.fhir.r4.model.Bundle;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The audit log over real HTTPS: auditors may search it, and nothing else; integrations may not. */
class AuditEventHttpTest {
  static final String FHIR_JSON = "application/fhir+json";
  @TempDir Path dir;
  WardApp app;
  FhirServer server;
  HttpClient http;
  String integration;
  String auditor;

  @BeforeEach
  void start() throws Exception {
    app = TestApps.open(dir);
    server = new FhirServer(app.records(), app.transparency(), app.authenticator(),
        ServerConfig.selfSigned(dir.resolve("tls")).withPort(0)).start();
    http = Https.client();
    integration = app.tokens().create("lab").secret().reveal();
    auditor = app.tokens().create("dpo", Role.AUDITOR).secret().reveal();
  }

  @AfterEach
  void stop() {
    server.close();
    app.close();
  }

  HttpResponse<String> get(String path, String token) throws Exception {
    return Https.send(http, Https.request(server.baseUrl() + "/" + path).header("Authorization", "Bearer " + token)
        .header("Accept", FHIR_JSON).GET().build());
  }

  @Test
  void auditorSearchesTheLog_integrationCannot_andAuditorReadsNoRecords() throws Exception {
    var created = Https.send(http, Https.request(server.baseUrl() + "/Patient").header("Authorization", "Bearer " + integration)
        .header("Content-Type", FHIR_JSON).POST(BodyPublishers.ofString("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Audit\"}]}")).build());
    assertEquals(201, created.statusCode(), created.body());
    String id = created.headers().firstValue("Location").orElseThrow().replaceAll(".*/Patient/([^/]+)/_history.*", "$1");
    assertEquals(200, get("Patient/" + id, integration).statusCode());

    var found = get("AuditEvent?patient=Patient/" + id + "&action=R", auditor);
    assertEquals(200, found.statusCode(), found.body());
    Bundle b = FhirContext.forR4Cached().newJsonParser().parseResource(Bundle.class, found.body());
    assertEquals(1, b.getTotal());
    AuditEvent e = (AuditEvent) b.getEntryFirstRep().getResource();
    assertEquals("lab", e.getAgentFirstRep().getWho().getDisplay());
    assertTrue(e.getEntity().stream().anyMatch(x -> ("Patient/" + id).equals(x.getWhat().getReference())));

    var denied = get("AuditEvent?patient=" + id, integration);
    assertEquals(403, denied.statusCode());
    assertTrue(denied.body().contains("auditor"), denied.body());
    assertEquals(403, get("Patient/" + id, auditor).statusCode());
    assertEquals(403, get("Patient?family=audit", auditor).statusCode());
    var bad = get("AuditEvent?name=x", auditor);
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("OperationOutcome"));

    var metadata = Https.send(http, Https.request(server.baseUrl() + "/metadata").GET().build());
    assertTrue(metadata.body().contains("\"type\":\"AuditEvent\""), "listed in the CapabilityStatement");
  }
}
