package health.ward.server;

/** A running Ward FHIR endpoint for the HTTP contract tests. */
interface FhirTarget extends AutoCloseable {
  /** e.g. https://127.0.0.1:40123/fhir */
  String fhirBase();

  /** A valid bearer token. */
  String token();

  /** The configured body limit. */
  long maxBodyBytes();

  @Override
  void close();
}
