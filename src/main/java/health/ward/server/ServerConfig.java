package health.ward.server;

import java.nio.file.Path;
import java.util.Objects;

/**
 * How the FHIR server listens.
 *
 * @param host address to bind; default 127.0.0.1
 * @param port TCP port; 0 picks a free port (see {@link FhirServer#port()})
 * @param tls where the TLS identity comes from
 * @param tlsDir where a generated self-signed certificate and key live (e.g. {@code <data>/tls});
 *     required for {@link Tls#SELF_SIGNED}
 * @param certPath PEM certificate (chain) file; required for {@link Tls#PEM}
 * @param keyPath PEM private key file (PKCS#8 or traditional, unencrypted); required for {@link Tls#PEM}
 * @param maxBodyBytes largest accepted request body; larger bodies get 413
 * @param threads maximum request threads
 */
public record ServerConfig(
    String host,
    int port,
    Tls tls,
    Path tlsDir,
    Path certPath,
    Path keyPath,
    long maxBodyBytes,
    int threads) {

  public static final String DEFAULT_HOST = "127.0.0.1";
  public static final int DEFAULT_PORT = 8443;
  public static final long DEFAULT_MAX_BODY_BYTES = 16L * 1024 * 1024;
  // Requests block on the database and on the ledger's group commit, so there are more threads
  // than cores; 64 covers 16-64 keep-alive clients on a 2-core host.
  public static final int DEFAULT_THREADS = 64;

  /** Where the server's TLS identity comes from. */
  public enum Tls {
    /** A self-signed certificate generated on first start in {@code tlsDir} and reused after. */
    SELF_SIGNED,
    /** A certificate and key provided as PEM files. */
    PEM,
    /** No TLS at all; only when explicitly asked for (tests behind a TLS proxy, local debugging). */
    PLAIN
  }

  public ServerConfig {
    Objects.requireNonNull(host, "host");
    Objects.requireNonNull(tls, "tls");
    if (host.isBlank()) throw new IllegalArgumentException("host must not be blank");
    if (port < 0 || port > 65535) throw new IllegalArgumentException("port must be 0..65535, was " + port);
    if (maxBodyBytes < 1) throw new IllegalArgumentException("maxBodyBytes must be >= 1, was " + maxBodyBytes);
    if (threads < 8) throw new IllegalArgumentException("threads must be >= 8, was " + threads);
    switch (tls) {
      case SELF_SIGNED -> Objects.requireNonNull(tlsDir, "tlsDir is required for a self-signed certificate");
      case PEM -> {
        Objects.requireNonNull(certPath, "certPath is required for PEM TLS");
        Objects.requireNonNull(keyPath, "keyPath is required for PEM TLS");
      }
      case PLAIN -> {}
    }
  }

  /** 127.0.0.1:8443 with a self-signed certificate kept in {@code tlsDir}. */
  public static ServerConfig selfSigned(Path tlsDir) {
    return new ServerConfig(
        DEFAULT_HOST, DEFAULT_PORT, Tls.SELF_SIGNED, tlsDir, null, null, DEFAULT_MAX_BODY_BYTES, DEFAULT_THREADS);
  }

  /** 127.0.0.1:8443 with a provided PEM certificate (chain) and private key. */
  public static ServerConfig pem(Path certPath, Path keyPath) {
    return new ServerConfig(
        DEFAULT_HOST, DEFAULT_PORT, Tls.PEM, null, certPath, keyPath, DEFAULT_MAX_BODY_BYTES, DEFAULT_THREADS);
  }

  /** 127.0.0.1:8443 over plain HTTP: only for an explicit request. */
  public static ServerConfig plainHttp() {
    return new ServerConfig(
        DEFAULT_HOST, DEFAULT_PORT, Tls.PLAIN, null, null, null, DEFAULT_MAX_BODY_BYTES, DEFAULT_THREADS);
  }

  public ServerConfig withHost(String h) {
    return new ServerConfig(h, port, tls, tlsDir, certPath, keyPath, maxBodyBytes, threads);
  }

  public ServerConfig withPort(int p) {
    return new ServerConfig(host, p, tls, tlsDir, certPath, keyPath, maxBodyBytes, threads);
  }

  public ServerConfig withMaxBodyBytes(long max) {
    return new ServerConfig(host, port, tls, tlsDir, certPath, keyPath, max, threads);
  }

  public ServerConfig withThreads(int n) {
    return new ServerConfig(host, port, tls, tlsDir, certPath, keyPath, maxBodyBytes, n);
  }
}
