package health.ward.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ca.uhn.fhir.context.FhirContext;
import ca.uhn.fhir.rest.api.MethodOutcome;
import ca.uhn.fhir.rest.client.api.IGenericClient;
import ca.uhn.fhir.rest.client.api.ServerValidationModeEnum;
import ca.uhn.fhir.rest.client.interceptor.BearerTokenAuthInterceptor;
import health.ward.audit.AccessEvent;
import health.ward.audit.AuditEntry;
import health.ward.cli.TestApps;
import health.ward.cli.WardApp;
import java.io.ByteArrayInputStream;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.UUID;
import java.util.zip.GZIPInputStream;
import org.apache.http.conn.ssl.NoopHostnameVerifier;
import org.apache.http.impl.client.HttpClients;
import org.hl7.fhir.instance.model.api.IBaseResource;
import org.hl7.fhir.r4.model.Bundle;
import org.hl7.fhir.r4.model.CapabilityStatement;
import org.hl7.fhir.r4.model.Observation;
import org.hl7.fhir.r4.model.OperationOutcome;
import org.hl7.fhir.r4.model.Patient;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * The FHIR REST behaviour of Ward as a client sees it over HTTPS, against the whole of Ward: the
 * real records service, vault, ledger and API tokens over the embedded PostgreSQL, opened through
 * the composition root {@link WardApp} in a temporary directory, behind a real {@link FhirServer}
 * on a free port with a 64 KiB body limit. Failures that need a broken store or ledger are in
 * {@link FhirServerFailureTest}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class FhirServerTest {
  static final String FHIR_JSON = "application/fhir+json";
  static final FhirContext FHIR = FhirContext.forR4Cached();
  static final long MAX_BODY_BYTES = 64 * 1024;

  @TempDir static Path dir;

  WardApp app;
  FhirServer server;
  String token;
  HttpClient http;

  @BeforeAll
  void open() {
    app = TestApps.open(dir);
    token = app.tokens().create("server-test").secret().reveal();
    server = new FhirServer(app.records(), app.transparency(), app.authenticator(), smallBodies(dir.resolve("tls"))).start();
    http = Https.client();
  }

  static ServerConfig smallBodies(Path tlsDir) {
    return ServerConfig.selfSigned(tlsDir).withPort(0).withMaxBodyBytes(MAX_BODY_BYTES).withThreads(16);
  }

  @AfterAll
  void shut() {
    try {
      if (server != null) server.close();
    } finally {
      if (app != null) app.close();
    }
  }

  // ---- helpers

  String url(String path) {
    return server.baseUrl() + (path.isEmpty() ? "" : "/" + path);
  }

  HttpRequest.Builder authed(String path) {
    return Https.request(url(path)).header("Authorization", "Bearer " + token).header("Accept", FHIR_JSON);
  }

  HttpResponse<String> get(String path) {
    return Https.send(http, authed(path).GET().build());
  }

  HttpResponse<String> post(String path, String body) {
    return Https.send(http, authed(path).header("Content-Type", FHIR_JSON).POST(BodyPublishers.ofString(body)).build());
  }

  HttpResponse<String> put(String path, String body, String ifMatch) {
    HttpRequest.Builder b = authed(path).header("Content-Type", FHIR_JSON).PUT(BodyPublishers.ofString(body));
    if (ifMatch != null) b.header("If-Match", ifMatch);
    return Https.send(http, b.build());
  }

  static IBaseResource parse(HttpResponse<String> r) {
    return FHIR.newJsonParser().parseResource(r.body());
  }

  static String json(IBaseResource r) {
    return FHIR.newJsonParser().encodeResourceToString(r);
  }

  /** A 4xx/5xx answer: an OperationOutcome carrying {@code code}, no stack trace. */
  static OperationOutcome assertOutcome(HttpResponse<String> r, int status, String code) {
    assertEquals(status, r.statusCode(), () -> "body: " + r.body());
    assertTrue(r.headers().firstValue("Content-Type").orElse("").startsWith(FHIR_JSON), "content type");
    assertFalse(r.body().contains("Exception"), () -> "exception leaked: " + r.body());
    assertFalse(r.body().contains("\tat ") || r.body().contains(".java:"), () -> "stack trace leaked: " + r.body());
    OperationOutcome oo = (OperationOutcome) parse(r);
    assertEquals(code, oo.getIssueFirstRep().getDetails().getCodingFirstRep().getCode(), () -> "body: " + r.body());
    return oo;
  }

  static String codeOf(HttpResponse<String> r) {
    return ((OperationOutcome) parse(r)).getIssueFirstRep().getDetails().getCodingFirstRep().getCode();
  }

  static Patient patient(String family) {
    Patient p = new Patient();
    p.addName().setFamily(family).addGiven("Test");
    p.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.FEMALE);
    return p;
  }

  static String unique(String prefix) {
    return prefix + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }

  // ---- authentication and metadata

  @Test
  void metadata_withoutToken_listsTypesInteractionsAndSearchParameters() {
    HttpResponse<String> r = Https.send(http, Https.request(url("metadata")).GET().build());
    assertEquals(200, r.statusCode(), r::body);
    CapabilityStatement cs = (CapabilityStatement) parse(r);
    var patient = cs.getRestFirstRep().getResource().stream().filter(x -> x.getType().equals("Patient")).findFirst().orElseThrow();
    assertTrue(patient.getInteraction().stream().anyMatch(i -> i.getCode().toCode().equals("vread")));
    assertTrue(patient.getSearchParam().stream().anyMatch(p -> p.getName().equals("_id")));
    assertTrue(cs.getRestFirstRep().getInteraction().stream().anyMatch(i -> i.getCode().toCode().equals("transaction")));
  }

  @Test
  void read_withoutToken_is401WithOperationOutcome() {
    HttpResponse<String> r = Https.send(http, Https.request(url("Patient/anything")).GET().build());
    assertOutcome(r, 401, "UNAUTHENTICATED");
    assertTrue(r.headers().firstValue("WWW-Authenticate").orElse("").startsWith("Bearer"));
  }

  @Test
  void search_withUnknownToken_is401() {
    HttpResponse<String> r =
        Https.send(http, Https.request(url("Patient")).header("Authorization", "Bearer not-a-token").GET().build());
    assertOutcome(r, 401, "UNAUTHENTICATED");
  }

  // ---- CRUD, versions, history

  @Test
  void createReadVreadUpdateHistoryDelete_roundTrip() {
    HttpResponse<String> created = post("Patient", json(patient(unique("Round"))));
    assertEquals(201, created.statusCode(), created::body);
    String location = created.headers().firstValue("Location").orElseThrow();
    assertTrue(location.contains("/Patient/") && location.endsWith("/_history/1"), location);
    assertEquals("W/\"1\"", created.headers().firstValue("ETag").orElseThrow());
    assertTrue(created.headers().firstValue("Last-Modified").isPresent());
    String id = location.replaceAll(".*/Patient/([^/]+)/_history/1$", "$1");

    HttpResponse<String> read = get("Patient/" + id);
    assertEquals(200, read.statusCode(), read::body);
    assertEquals("W/\"1\"", read.headers().firstValue("ETag").orElseThrow());
    Patient p = (Patient) parse(read);
    assertEquals(id, p.getIdElement().getIdPart());

    p.setGender(org.hl7.fhir.r4.model.Enumerations.AdministrativeGender.MALE);
    HttpResponse<String> updated = put("Patient/" + id, json(p), "W/\"1\"");
    assertEquals(200, updated.statusCode(), updated::body);
    assertEquals("W/\"2\"", updated.headers().firstValue("ETag").orElseThrow());

    assertOutcome(put("Patient/" + id, json(p), "W/\"1\""), 412, "VERSION_CONFLICT");

    HttpResponse<String> v1 = get("Patient/" + id + "/_history/1");
    assertEquals(200, v1.statusCode(), v1::body);
    assertEquals("female", ((Patient) parse(v1)).getGender().toCode());

    HttpResponse<String> deleted = Https.send(http, authed("Patient/" + id).DELETE().build());
    assertTrue(deleted.statusCode() == 200 || deleted.statusCode() == 204, deleted::body);
    assertOutcome(get("Patient/" + id), 410, "GONE");

    HttpResponse<String> history = get("Patient/" + id + "/_history");
    assertEquals(200, history.statusCode(), history::body);
    Bundle h = (Bundle) parse(history);
    assertEquals(Bundle.BundleType.HISTORY, h.getType());
    assertEquals(3, h.getEntry().size());
    assertEquals(Bundle.HTTPVerb.DELETE, h.getEntry().get(0).getRequest().getMethod());
    assertNull(h.getEntry().get(0).getResource());
    assertEquals("2", h.getEntry().get(1).getResource().getMeta().getVersionId());
  }

  @Test
  void create_xmlBody_isAcceptedAndReadableAsXml() {
    String family = unique("Xml");
    String xml = FHIR.newXmlParser().encodeResourceToString(patient(family));
    HttpResponse<String> created =
        Https.send(http, authed("Patient").header("Content-Type", "application/fhir+xml")
            .POST(BodyPublishers.ofString(xml)).build());
    assertEquals(201, created.statusCode(), created::body);
    String location = created.headers().firstValue("Location").orElseThrow();
    String id = location.replaceAll(".*/Patient/([^/]+)/_history/1$", "$1");
    HttpResponse<String> read =
        Https.send(http, authed("Patient/" + id).setHeader("Accept", "application/fhir+xml").GET().build());
    assertEquals(200, read.statusCode());
    assertTrue(read.body().startsWith("<Patient") && read.body().contains(family), read::body);
  }

  @Test
  void read_missing_is404() {
    assertOutcome(get("Patient/" + unique("missing")), 404, "NOT_FOUND");
  }

  @Test
  void create_withIfNoneExistMatching_returnsExisting() {
    String id = unique("fixed");
    Patient p = patient(unique("Cond"));
    p.setId(id);
    assertEquals(201, put("Patient/" + id, json(p), null).statusCode());
    HttpResponse<String> again =
        Https.send(http, authed("Patient").header("Content-Type", FHIR_JSON).header("If-None-Exist", "_id=" + id)
            .POST(BodyPublishers.ofString(json(patient("Other")))).build());
    assertEquals(200, again.statusCode(), again::body);
    assertTrue(again.headers().firstValue("Location").orElse("").contains("/Patient/" + id + "/"));
  }

  // ---- search and paging

  @Test
  void search_pagesWithNextAndPreviousLinks() {
    String family = unique("Pager");
    for (int i = 0; i < 5; i++) assertEquals(201, post("Patient", json(patient(family))).statusCode());

    Bundle first = (Bundle) parse(get("Patient?family=" + family + "&_count=2"));
    assertEquals(5, first.getTotal());
    assertEquals(2, first.getEntry().size());
    assertNull(first.getLink("previous"));
    String next = first.getLink("next").getUrl();
    assertTrue(next.contains("_offset=2") && next.contains("family=" + family), next);

    HttpResponse<String> secondResp = Https.send(http, Https.request(next).header("Authorization", "Bearer " + token).GET().build());
    Bundle second = (Bundle) parse(secondResp);
    assertEquals(2, second.getEntry().size());
    assertNotNull(second.getLink("previous"));
    Bundle third = (Bundle) parse(Https.send(http,
        Https.request(second.getLink("next").getUrl()).header("Authorization", "Bearer " + token).GET().build()));
    assertEquals(1, third.getEntry().size());
    assertNull(third.getLink("next"));

    // A next link is a new search: without a token it is refused.
    assertOutcome(Https.send(http, Https.request(next).GET().build()), 401, "UNAUTHENTICATED");
  }

  @Test
  void search_summaryCount_returnsTotalOnly() {
    String family = unique("Counted");
    for (int i = 0; i < 3; i++) post("Patient", json(patient(family)));
    Bundle b = (Bundle) parse(get("Patient?family=" + family + "&_summary=count"));
    assertEquals(3, b.getTotal());
    assertTrue(b.getEntry().isEmpty());
  }

  @Test
  void search_byPostedForm_findsTheSame() {
    String family = unique("Posted");
    post("Patient", json(patient(family)));
    HttpResponse<String> r =
        Https.send(http, authed("Patient/_search").header("Content-Type", "application/x-www-form-urlencoded")
            .POST(BodyPublishers.ofString("family=" + family)).build());
    assertEquals(200, r.statusCode(), r::body);
    assertEquals(1, ((Bundle) parse(r)).getTotal());
  }

  @Test
  void search_unknownParameter_is400() {
    assertOutcome(get("Patient?no-such-parameter=1"), 400, "INVALID_REQUEST");
  }

  @Test
  void search_badCount_is400() {
    assertOutcome(get("Patient?_count=many"), 400, "INVALID_REQUEST");
  }

  // ---- bad input

  @Test
  void create_unknownElementOrInvalidValue_is400NamingIt() {
    OperationOutcome unknown =
        assertOutcome(post("Patient", "{\"resourceType\":\"Patient\",\"shoeSize\":44}"), 400, "INVALID_RESOURCE");
    assertTrue(unknown.getIssueFirstRep().getDiagnostics().contains("shoeSize"), unknown.getIssueFirstRep().getDiagnostics());
    OperationOutcome invalid =
        assertOutcome(post("Patient", "{\"resourceType\":\"Patient\",\"birthDate\":\"1990-13-45\"}"), 400, "INVALID_RESOURCE");
    assertTrue(invalid.getIssueFirstRep().getDiagnostics().contains("1990-13-45"), invalid.getIssueFirstRep().getDiagnostics());
  }

  @Test
  void create_malformedJson_is400() {
    assertOutcome(post("Patient", "{\"resourceType\": \"Patient\", \"name\": [ {"), 400, "INVALID_RESOURCE");
  }

  @Test
  void create_bodyOfAnotherType_is400() {
    Observation o = new Observation();
    o.setStatus(Observation.ObservationStatus.FINAL);
    o.getCode().setText("x");
    assertOutcome(post("Patient", json(o)), 400, "INVALID_RESOURCE");
  }

  @Test
  void update_idInBodyDiffersFromUrl_is400() {
    Patient p = patient("Mismatch");
    p.setId("one");
    HttpResponse<String> r = put("Patient/two", json(p), null);
    OperationOutcome oo = assertOutcome(r, 400, codeOf(r));
    assertTrue(List.of("INVALID_RESOURCE", "INVALID_REQUEST").contains(codeOf(r)), oo::toString);
  }

  @Test
  void read_invalidId_is400() {
    assertOutcome(get("Patient/bad_id!"), 400, "INVALID_REQUEST");
    assertOutcome(get("Patient/" + "a".repeat(65)), 400, "INVALID_REQUEST");
  }

  @Test
  void unknownResourceType_is4xxWithOperationOutcome() {
    HttpResponse<String> r = get("NoSuchType/1");
    assertTrue(r.statusCode() == 404 || r.statusCode() == 400, r::body);
    assertOutcome(r, r.statusCode(), r.statusCode() == 404 ? "NOT_FOUND" : "INVALID_REQUEST");
  }

  @Test
  void create_unsupportedMediaType_is415() {
    HttpResponse<String> r =
        Https.send(http, authed("Patient").header("Content-Type", "text/plain").POST(BodyPublishers.ofString("hello")).build());
    assertOutcome(r, 415, "INVALID_REQUEST");
  }

  @Test
  void create_oversizeBodyWithContentLength_is413() {
    byte[] body = oversizeBody();
    HttpResponse<String> r =
        Https.send(http, authed("Patient").header("Content-Type", FHIR_JSON).POST(BodyPublishers.ofByteArray(body)).build());
    assertOutcome(r, 413, "TOO_LARGE");
  }

  @Test
  void create_oversizeChunkedBody_is413() {
    byte[] body = oversizeBody();
    HttpResponse<String> r =
        Https.send(http, authed("Patient").header("Content-Type", FHIR_JSON)
            .POST(BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(body))).build());
    assertOutcome(r, 413, "TOO_LARGE");
  }

  private byte[] oversizeBody() {
    StringBuilder sb = new StringBuilder("{\"resourceType\":\"Patient\",\"text\":{\"status\":\"generated\",\"div\":\"<div xmlns=\\\"http://www.w3.org/1999/xhtml\\\">");
    while (sb.length() < MAX_BODY_BYTES + 1024) sb.append("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");
    sb.append("</div>\"}}");
    return sb.toString().getBytes(StandardCharsets.UTF_8);
  }

  // ---- transactions

  @Test
  void transaction_createsAndUpdatesTogether() {
    String id = unique("tx");
    Bundle tx = new Bundle().setType(Bundle.BundleType.TRANSACTION);
    tx.addEntry().setFullUrl("urn:uuid:" + UUID.randomUUID()).setResource(patient(unique("Tx")))
        .getRequest().setMethod(Bundle.HTTPVerb.POST).setUrl("Patient");
    Patient fixed = patient(unique("Tx"));
    fixed.setId(id);
    tx.addEntry().setFullUrl(url("Patient/" + id)).setResource(fixed)
        .getRequest().setMethod(Bundle.HTTPVerb.PUT).setUrl("Patient/" + id);
    HttpResponse<String> r = post("", json(tx));
    assertEquals(200, r.statusCode(), r::body);
    Bundle resp = (Bundle) parse(r);
    assertEquals(Bundle.BundleType.TRANSACTIONRESPONSE, resp.getType());
    assertEquals(2, resp.getEntry().size());
    assertTrue(resp.getEntry().get(0).getResponse().getStatus().startsWith("201"));
    assertEquals(200, get("Patient/" + id).statusCode());
  }

  @Test
  void transaction_ofAnotherBundleType_is400() {
    Bundle b = new Bundle().setType(Bundle.BundleType.COLLECTION);
    HttpResponse<String> r = post("", json(b));
    assertEquals(400, r.statusCode(), r::body);
  }

  // ---- HAPI's generic client, unchanged

  @Test
  void genericClient_createReadSearch() {
    FhirContext ctx = FhirContext.forR4Cached();
    ctx.getRestfulClientFactory().setServerValidationMode(ServerValidationModeEnum.NEVER);
    ctx.getRestfulClientFactory().setHttpClient(
        HttpClients.custom().setSSLContext(Https.trustAll()).setSSLHostnameVerifier(NoopHostnameVerifier.INSTANCE).build());
    IGenericClient client = ctx.newRestfulGenericClient(server.baseUrl());
    client.registerInterceptor(new BearerTokenAuthInterceptor(token));

    String family = unique("Client");
    MethodOutcome created = client.create().resource(patient(family)).execute();
    assertTrue(created.getCreated());
    String id = created.getId().getIdPart();
    Patient read = client.read().resource(Patient.class).withId(id).execute();
    assertEquals(family, read.getNameFirstRep().getFamily());
    assertEquals("1", read.getIdElement().getVersionIdPart());
    Bundle found =
        client.search().forResource(Patient.class).where(Patient.FAMILY.matches().value(family))
            .returnBundle(Bundle.class).execute();
    assertEquals(1, found.getTotal());
    assertEquals(id, found.getEntryFirstRep().getResource().getIdElement().getIdPart());
  }

  // ---- what the server adds around the records service

  @Test
  void baseUrl_isHttpsOnTheBoundPort() {
    assertTrue(server.baseUrl().matches("https://127\\.0\\.0\\.1:\\d+/fhir"), server.baseUrl());
    assertFalse(server.baseUrl().endsWith(":0/fhir"));
  }

  @Test
  void invalidValueInBody_is400() {
    HttpResponse<String> r = post("Patient", "{\"resourceType\":\"Patient\",\"birthDate\":\"not a date\"}");
    assertOutcome(r, 400, "INVALID_RESOURCE");
  }

  /** No real condition throws outside the error family, so the mapping is checked directly. */
  @Test
  void unexpectedException_mapsTo500WithGenericMessage() {
    Failure f = ErrorInterceptor.classify(new IllegalStateException("boom " + "Zebediah"), false);
    assertEquals(500, f.status());
    assertEquals("INTERNAL_ERROR", f.code());
    assertEquals("Internal server error", f.message());
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
  void refusedRequest_addsOneLedgerEntry() throws Exception {
    long before = ledgerSize();
    assertOutcome(Https.send(http, Https.request(url("Observation/xyz")).GET().build()), 401, "UNAUTHENTICATED");
    assertEquals(before + 1, ledgerSize());
  }

  @Test
  void metadata_isNotRecordedAsRefused() throws Exception {
    long before = ledgerSize();
    assertEquals(200, Https.send(http, Https.request(url("metadata")).GET().build()).statusCode());
    assertEquals(before, ledgerSize());
  }

  @Test
  void purposeOfUse_isDeclaredByHeader_recordedInTheEntry_andAnUnknownCodeIs400() throws Exception {
    var ok = Https.send(http, authed("Patient?_count=1").header("X-Purpose-Of-Use", "etreat").GET().build());
    assertEquals(200, ok.statusCode(), ok.body());
    AuditEntry entry = AuditEntry.decode(lastLedgerEntry());
    assertEquals("ETREAT", entry.purposeOfUse());
    assertEquals("search-type", entry.interaction());
    assertEquals("integration", entry.actorRole());
    assertNotNull(entry.session());

    long before = ledgerSize();
    var bad = Https.send(http, authed("Patient?_count=1").header("X-Purpose-Of-Use", "because-I-can").GET().build());
    assertEquals(400, bad.statusCode());
    assertTrue(bad.body().contains("OperationOutcome") && bad.body().contains("PurposeOfUse"), bad.body());
    assertEquals(before, ledgerSize(), "refused before any access");
  }

  /**
   * The entry for a refused HTTP read is the one the records service makes for a refused read of
   * that type from 127.0.0.1: the server hands it the interaction, the type, the client address and
   * its User-Agent, all as keyed pseudonyms.
   */
  @Test
  void refusedRequest_ledgerEntryCarriesInteractionTypeAndClientAddress() throws Exception {
    Https.send(http, Https.request(url("Observation/xyz")).GET().build());
    AuditEntry overHttp = AuditEntry.decode(lastLedgerEntry());
    app.records().recordUnauthenticated("127.0.0.1", null, "read", "Observation");
    AuditEntry sameAddress = AuditEntry.decode(lastLedgerEntry());
    app.records().recordUnauthenticated("10.1.2.3", null, "read", "Observation");
    AuditEntry otherAddress = AuditEntry.decode(lastLedgerEntry());

    assertEquals("read", overHttp.interaction());
    assertEquals("Observation", overHttp.resourceType());
    assertEquals(AccessEvent.Outcome.DENIED, overHttp.outcome());
    assertEquals("unauthenticated", overHttp.actorRole());
    assertEquals(sameAddress.address(), overHttp.address());
    assertNotEquals(otherAddress.address(), overHttp.address());
    assertNotNull(overHttp.userAgent(), "the client's User-Agent is in the entry, pseudonymised");
  }

  /** Length of the span from the first to the last differing byte; MAX_VALUE if the lengths differ. */
  private static int differingRun(byte[] a, byte[] b) {
    if (a.length != b.length) return Integer.MAX_VALUE;
    int first = -1;
    int last = -1;
    for (int i = 0; i < a.length; i++) {
      if (a[i] != b[i]) {
        if (first < 0) first = i;
        last = i;
      }
    }
    return first < 0 ? 0 : last - first + 1;
  }

  private long ledgerSize() throws SQLException {
    try (Connection c = app.dataSource().getConnection();
        ResultSet rs = c.createStatement().executeQuery("select coalesce(sum(entry_count), 0) from ledger_batch")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private byte[] lastLedgerEntry() throws SQLException {
    var reader = new health.ward.ledger.LedgerReader(app.dataSource());
    return reader.entry(reader.size() - 1).orElseThrow();
  }

  @Test
  void update_withoutIfMatch_isNotAPreconditionFailure() {
    // Without If-Match there is no precondition: a plain update succeeds.
    String id = unique("plain");
    Patient p = patient("Plain");
    p.setId(id);
    assertEquals(201, put("Patient/" + id, json(p), null).statusCode());
    assertEquals(200, put("Patient/" + id, json(p), null).statusCode());
  }

  @Test
  void update_malformedIfMatch_is400() {
    Patient p = patient("BadEtag");
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
    HttpResponse<String> r = Https.send(http, Https.request(server.baseUrl().replace("/fhir", "/elsewhere")).GET().build());
    assertOutcome(r, 404, "NOT_FOUND");
  }

  @Test
  void xmlClients_getXml() {
    HttpResponse<String> r =
        Https.send(http, Https.request(url("metadata")).header("Accept", "application/fhir+xml").GET().build());
    assertEquals(200, r.statusCode());
    assertTrue(r.body().startsWith("<CapabilityStatement"), r.body().substring(0, Math.min(80, r.body().length())));
  }

  // ---- real data

  static final Path SYNTHEA = Path.of("..", "shared", "data", "synthea-small");

  /**
   * A Synthea patient, with the organisations and practitioners it references, arrives over HTTP
   * (through a server with the default 16 MiB body limit: the bundles are larger than 64 KiB).
   */
  @Test
  void syntheaBundles_postedToTheBase_areStoredAndSearchable() throws Exception {
    Assumptions.assumeTrue(Files.isDirectory(SYNTHEA), "no Synthea sample data");
    try (FhirServer big =
        new FhirServer(app.records(), app.transparency(), app.authenticator(), ServerConfig.selfSigned(dir.resolve("tls")).withPort(0)).start()) {
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
        HttpResponse<String> r = Https.send(http, Https.request(big.baseUrl()).header("Authorization", "Bearer " + token)
            .header("Accept", FHIR_JSON).header("Content-Type", FHIR_JSON).POST(BodyPublishers.ofString(json)).build());
        assertEquals(200, r.statusCode(), () -> prefix + ": " + r.body().substring(0, Math.min(600, r.body().length())));
        Bundle answer = (Bundle) parse(r);
        assertEquals(sent.getEntry().size(), answer.getEntry().size(), prefix);
      }
    }
    Bundle found = (Bundle) parse(get("Patient?family=Koss676"));
    assertEquals(1, found.getTotal());
  }
}
