package health.ward.ledger;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A witness outside Ward's reach that keeps every signed checkpoint: a directory on another mount,
 * or an HTTP endpoint. Ward pushes each checkpoint it signs, and at start-up reads back the newest
 * one to check that its ledger still extends it (a roll-back or rewrite of the database is caught
 * there).
 */
public interface CheckpointSink {

  /** Where the checkpoints go, for messages. */
  String describe();

  /**
   * Stores the signed note of the checkpoint of {@code size}. Publishing the same checkpoint again
   * is harmless; a sink never replaces a checkpoint it already holds.
   */
  void publish(long size, String note) throws IOException;

  /** The newest note the sink holds (by tree size), if any. */
  Optional<String> newest() throws IOException;

  /**
   * The sink named by {@code spec}: an {@code http://} or {@code https://} URL, otherwise a
   * directory path. Throws {@link IllegalArgumentException} with a readable message if neither.
   */
  static CheckpointSink parse(String spec) {
    if (spec == null || spec.isBlank()) throw new IllegalArgumentException("the checkpoint sink is empty");
    String lower = spec.toLowerCase(java.util.Locale.ROOT);
    if (lower.startsWith("http://") || lower.startsWith("https://")) {
      try {
        return new HttpCheckpointSink(new URI(spec));
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("not a valid URL: " + spec + " (" + e.getReason() + ")");
      }
    }
    if (lower.matches("^[a-z][a-z0-9+.-]*://.*")) {
      throw new IllegalArgumentException("unsupported checkpoint sink " + spec + ": use a directory or an http(s) URL");
    }
    return new DirectoryCheckpointSink(Path.of(spec));
  }
}
