package health.ward.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/** A test HTTP client that trusts any certificate (the servers under test are self-signed). */
final class Https {
  private Https() {}

  static SSLContext trustAll() {
    try {
      SSLContext ssl = SSLContext.getInstance("TLS");
      ssl.init(null, new TrustManager[] {new X509TrustManager() {
        @Override public void checkClientTrusted(X509Certificate[] chain, String authType) {}
        @Override public void checkServerTrusted(X509Certificate[] chain, String authType) {}
        @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
      }}, new SecureRandom());
      return ssl;
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static HttpClient client() {
    SSLParameters params = new SSLParameters();
    params.setEndpointIdentificationAlgorithm(null);
    return HttpClient.newBuilder()
        .sslContext(trustAll())
        .sslParameters(params)
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
  }

  static HttpResponse<String> send(HttpClient c, HttpRequest r) {
    try {
      return c.send(r, HttpResponse.BodyHandlers.ofString());
    } catch (Exception e) {
      throw new AssertionError("request failed: " + r.method() + " " + r.uri(), e);
    }
  }

  static HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60));
  }
}
