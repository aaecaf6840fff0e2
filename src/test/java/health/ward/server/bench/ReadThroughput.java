package health.ward.server.bench;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicLong;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * Reads one resource repeatedly over HTTPS keep-alive from N concurrent clients and prints reads/s.
 * Usage: ReadThroughput <fhirBase> <token> <Type/id> [clients] [seconds]. Not a unit test.
 */
public final class ReadThroughput {
  public static void main(String[] args) throws Exception {
    String url = args[0] + "/" + args[2];
    String token = args[1];
    int clients = args.length > 3 ? Integer.parseInt(args[3]) : 32;
    int seconds = args.length > 4 ? Integer.parseInt(args[4]) : 10;
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, new TrustManager[] {new X509TrustManager() {
      @Override public void checkClientTrusted(X509Certificate[] c, String a) {}
      @Override public void checkServerTrusted(X509Certificate[] c, String a) {}
      @Override public X509Certificate[] getAcceptedIssuers() { return new X509Certificate[0]; }
    }}, new SecureRandom());
    SSLParameters p = new SSLParameters();
    p.setEndpointIdentificationAlgorithm(null);
    HttpClient client = HttpClient.newBuilder().sslContext(ssl).sslParameters(p).version(HttpClient.Version.HTTP_1_1).build();
    HttpRequest req = HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token).GET().build();
    AtomicLong ok = new AtomicLong();
    AtomicLong bad = new AtomicLong();
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    long warm = System.nanoTime() + Duration.ofSeconds(2).toNanos();
    try (var ex = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int i = 0; i < clients; i++) {
        ex.submit(() -> {
          while (System.nanoTime() < end) {
            try {
              HttpResponse<byte[]> r = client.send(req, HttpResponse.BodyHandlers.ofByteArray());
              if (System.nanoTime() > warm) (r.statusCode() == 200 ? ok : bad).incrementAndGet();
            } catch (Exception e) {
              bad.incrementAndGet();
            }
          }
          return null;
        });
      }
    }
    System.out.printf("reads/s=%.0f errors=%d%n", ok.get() / (double) (seconds - 2), bad.get());
  }
}
