package health.ward.ledger;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/**
 * A {@link CheckpointSink} behind HTTP, e.g. a witness service run by another team. The protocol:
 * {@code POST <url>} with the signed note as {@code text/plain; charset=utf-8} stores a checkpoint
 * (any 2xx is success); {@code GET <url>} answers the newest checkpoint the witness holds (200 with
 * the note) or 404 when it holds none. The witness decides what it accepts; it should keep every
 * note and refuse to go backwards.
 */
final class HttpCheckpointSink implements CheckpointSink {
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private final URI uri;
  private final HttpClient client;

  HttpCheckpointSink(URI uri) {
    this.uri = uri;
    this.client = HttpClient.newBuilder().connectTimeout(TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();
  }

  @Override
  public String describe() {
    return uri.toString();
  }

  @Override
  public void publish(long size, String note) throws IOException {
    HttpRequest req =
        HttpRequest.newBuilder(uri)
            .timeout(TIMEOUT)
            .header("Content-Type", "text/plain; charset=utf-8")
            .POST(HttpRequest.BodyPublishers.ofString(note, StandardCharsets.UTF_8))
            .build();
    HttpResponse<String> res = send(req);
    if (res.statusCode() / 100 != 2) {
      throw new IOException("the witness at " + uri + " answered " + res.statusCode() + " to checkpoint " + size);
    }
  }

  @Override
  public Optional<String> newest() throws IOException {
    HttpResponse<String> res = send(HttpRequest.newBuilder(uri).timeout(TIMEOUT).GET().build());
    if (res.statusCode() == 404) return Optional.empty();
    if (res.statusCode() != 200) {
      throw new IOException("the witness at " + uri + " answered " + res.statusCode() + " when asked for its newest checkpoint");
    }
    return Optional.of(res.body());
  }

  private HttpResponse<String> send(HttpRequest req) throws IOException {
    try {
      return client.send(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while talking to the witness at " + uri, e);
    }
  }
}
