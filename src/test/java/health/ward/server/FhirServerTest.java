package health.ward.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import health.ward.access.Principal;
import health.ward.auth.Authenticator;
import health.ward.common.WardException;
import health.ward.records.RequestContext;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import org.junit.jupiter.api.Test;

/**
 * The HTTP contract against an in-memory records double, plus what only the double can show:
 * failure mapping for unexpected and fail-closed errors, recording of refused requests, and the
 * request context handed to the records service.
 */
class FhirServerTest extends FhirRestContract {
  static final String TOKEN = "test-token-0123456789";
  static final String STORE_DOWN = "store-down-token";
  static final Principal ALICE = new Principal("token:alice", "alice", Principal.Kind.API_TOKEN);

  FakeRecords records;
  Path tlsDir;

  @Override
  FhirTarget openTarget() throws Exception {
    records = new FakeRecords(Clock.systemUTC());
    tlsDir = Files.createTempDirectory("ward-tls");
    Authenticator auth = t -> {
      if (t.equals(TOKEN)) return ALICE;
      if (t.equals(STORE_DOWN)) throw new WardException.StoreUnavailable("token store down", null);
      throw new WardException.Unauthenticated("unknown token");
    };
    ServerConfig cfg = ServerConfig.selfSigned(tlsDir).withPort(0).withMaxBodyBytes(64 * 1024).withThreads(16);
    FhirServer server = new FhirServer(records, auth, cfg, Clock.systemUTC(), new SecureRandom()).start();
    return new FhirTarget() {
      @Override public String fhirBase() { return server.baseUrl(); }
      @Override public String token() { return TOKEN; }
      @Override public long maxBodyBytes() { return cfg.maxBodyBytes(); }
      @Override public void close() { server.close(); }
    };
  }

  @Test
  void close_letsTheRequestInFlightFinish() throws Exception {
    FakeRecords slow = new FakeRecords(Clock.systemUTC());
    slow.slowRead = new java.util.concurrent.CountDownLatch(1);
    ServerConfig cfg = ServerConfig.selfSigned(tlsDir).withPort(0).withThreads(8);
    FhirServer server = new FhirServer(slow, t -> ALICE, cfg, Clock.systemUTC(), new SecureRandom()).start();
    var inFlight = java.util.concurrent.CompletableFuture.supplyAsync(() ->
        Https.send(http, Https.request(server.baseUrl() + "/Patient/slow").header("Authorization", "Bearer x").GET().build()));
    assertTrue(slow.slowReadStarted.await(10, java.util.concurrent.TimeUnit.SECONDS));
    var closing = java.util.concurrent.CompletableFuture.runAsync(server::close);
    Thread.sleep(300);
    slow.slowRead.countDown();
    assertEquals(200, inFlight.get(10, java.util.concurrent.TimeUnit.SECONDS).statusCode());
    closing.get(15, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void baseUrl_isHttpsOnTheBoundPort() {
    assertTrue(target.fhirBase().matches("https://127\\.0\\.0\\.1:\\d+/fhir"), target.fhirBase());
    assertFalse(target.fhirBase().endsWith(":0/fhir"));
  }

  @Test
  void unexpectedException_is500WithGenericOutcomeAndNoDetail() {
    HttpResponse<String> r = get("Patient/explode");
    assertOutcome(r, 500, "INTERNAL_ERROR");
    assertFalse(r.body().contains("boom") || r.body().contains(FakeRecords.PHI), r::body);
  }

  @Test
  void unexpectedException_logsNeitherMessageNorContent() {
    java.io.PrintStream err = System.err;
    java.io.ByteArrayOutputStream captured = new java.io.ByteArrayOutputStream();
    System.setErr(new java.io.PrintStream(captured, true, java.nio.charset.StandardCharsets.UTF_8));
    try {
      get("Patient/explode");
      post("Patient", "{\"resourceType\":\"Patient\",\"birthDate\":\"" + FakeRecords.PHI + "\"}");
    } finally {
      System.setErr(err);
    }
    String log = captured.toString(java.nio.charset.StandardCharsets.UTF_8);
    assertTrue(log.contains("INTERNAL_ERROR"), log);
    assertFalse(log.contains(FakeRecords.PHI) || log.contains("boom"), log);
  }

  @Test
  void invalidValueInBody_is400NotLogged() {
    HttpResponse<String> r = post("Patient", "{\"resourceType\":\"Patient\",\"birthDate\":\"not a date\"}");
    assertOutcome(r, 400, "INVALID_RESOURCE");
  }

  @Test
  void authenticatorStoreDown_is503() {
    HttpResponse<String> r =
        Https.send(http, Https.request(url("Patient/x")).header("Authorization", "Bearer " + STORE_DOWN).GET().build());
    assertOutcome(r, 503, "STORE_UNAVAILABLE");
  }

  @Test
  void interaction_isToldFromMethodAndPath() {
    assertEquals("read", BearerAuthFilter.interaction("GET", BearerAuthFilter.segments("/Patient/1")));
    assertEquals("vread", BearerAuthFilter.interaction("GET", BearerAuthFilter.segments("/Patient/1/_history/2")));
    assertEquals("history-instance", BearerAuthFilter.interaction("GET", BearerAuthFilter.segments("/Patient/1/_history")));
    assertEquals("search-type", BearerAuthFilter.interaction("GET", BearerAuthFilter.segments("/Patient")));
    assertEquals("search-type", BearerAuthFilter.interaction("POST", BearerAuthFilter.segments("/Patient/_search")));
    assertEquals("create", BearerAuthFilter.interaction("POST", BearerAuthFilter.segments("/Patient")));
    assertEquals("transaction", BearerAuthFilter.interaction("POST", BearerAuthFilter.segments("/")));
    assertEquals("update", BearerAuthFilter.interaction("PUT", BearerAuthFilter.segments("/Patient/1")));
    assertEquals("delete", BearerAuthFilter.interaction("DELETE", BearerAuthFilter.segments("/Patient/1")));
    assertEquals(null, BearerAuthFilter.resourceType(BearerAuthFilter.segments("/_history")));
  }

  @Test
  void ledgerUnavailable_is503WithFixedMessage() {
    HttpResponse<String> r = get("Patient/ledger-down");
    assertOutcome(r, 503, "LEDGER_UNAVAILABLE");
    assertFalse(r.body().contains(FakeRecords.PHI), r::body);
  }

  @Test
  void refusedRequest_isRecordedWithInteractionAndType() {
    int before = records.unauthenticated.size();
    Https.send(http, Https.request(url("Observation/xyz")).GET().build());
    assertEquals(before + 1, records.unauthenticated.size());
    assertTrue(records.unauthenticated.get(before).endsWith(" read Observation"), records.unauthenticated.get(before));
  }

  @Test
  void metadata_isNotRecordedAsRefused() {
    int before = records.unauthenticated.size();
    Https.send(http, Https.request(url("metadata")).GET().build());
    assertEquals(before, records.unauthenticated.size());
  }

  @Test
  void requestContext_carriesPrincipalAddressAndUserAgent() {
    records.contexts.clear();
    get("Patient?_id=nothing");
    RequestContext ctx = records.contexts.get(records.contexts.size() - 1);
    assertEquals(ALICE, ctx.principal());
    assertEquals("127.0.0.1", ctx.address());
    assertTrue(ctx.userAgent() != null && !ctx.userAgent().isBlank());
  }

  @Test
  void update_withStaleVersionWithoutIfMatch_isNotAPreconditionFailure() {
    // Without If-Match there is no precondition: a plain update succeeds.
    String id = unique("plain");
    var p = patient("Plain");
    p.setId(id);
    assertEquals(201, put("Patient/" + id, json(p), null).statusCode());
    assertEquals(200, put("Patient/" + id, json(p), null).statusCode());
  }

  @Test
  void update_malformedIfMatch_is400() {
    var p = patient("BadEtag");
    p.setId("badetag");
    assertOutcome(put("Patient/badetag", json(p), "soon"), 400, "INVALID_REQUEST");
  }

  @Test
  void search_sortOtherThanLastUpdated_is400() {
    assertOutcome(get("Patient?_sort=family"), 400, "INVALID_REQUEST");
  }

  @Test
  void ambiguousPath_is400WithOperationOutcome() {
    assertOutcome(get("Patient/a%2Fb"), 400, "INVALID_REQUEST");
  }

  @Test
  void pathOutsideFhir_is404WithOperationOutcome() {
    HttpResponse<String> r = Https.send(http, Https.request(target.fhirBase().replace("/fhir", "/elsewhere")).GET().build());
    assertOutcome(r, 404, "NOT_FOUND");
  }

  @Test
  void xmlClients_getXml() {
    HttpResponse<String> r =
        Https.send(http, Https.request(url("metadata")).header("Accept", "application/fhir+xml").GET().build());
    assertEquals(200, r.statusCode());
    assertTrue(r.body().startsWith("<CapabilityStatement"), r.body().substring(0, Math.min(80, r.body().length())));
  }
}
