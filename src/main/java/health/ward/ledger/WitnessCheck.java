package health.ward.ledger;

import java.io.IOException;
import java.security.MessageDigest;
import java.util.Objects;
import java.util.function.Function;

/**
 * The start-up check against a witness: the ledger must still extend the newest checkpoint the
 * sink holds. This catches what the database alone cannot show: a roll-back to an older copy, a
 * truncation, or a rewrite of entries together with their hashes. It reads O(log n) stored hashes;
 * {@code ward verify} is the full recomputation.
 */
public final class WitnessCheck {
  private WitnessCheck() {}

  /** What the witness said. */
  public sealed interface Result {
    /** True when Ward may serve. */
    default boolean ok() {
      return this instanceof Consistent || this instanceof Empty;
    }

    String message();
  }

  /** The ledger extends the witnessed checkpoint. */
  public record Consistent(String sink, TreeHead witnessed, long ledgerSize) implements Result {
    @Override
    public String message() {
      return "the ledger (" + ledgerSize + " entries) extends the checkpoint of " + witnessed.size()
          + " entries held by " + sink;
    }
  }

  /** The witness holds nothing yet (first start with this sink). */
  public record Empty(String sink) implements Result {
    @Override
    public String message() {
      return "no checkpoint yet in " + sink + "; the first one is issued now";
    }
  }

  /** The witness could not be read. */
  public record Unreachable(String sink, String why) implements Result {
    @Override
    public String message() {
      return "could not read the newest checkpoint from " + sink + ": " + why
          + ". Ward does not serve without checking its ledger against the witness: make the sink"
          + " reachable, or start without --checkpoint-sink to skip the check (not recommended)";
    }
  }

  /** The ledger does not extend what the witness holds. */
  public record Inconsistent(String sink, String message) implements Result {}

  /**
   * Checks the ledger read by {@code reader} against the newest checkpoint of {@code sink}.
   *
   * @param open verifies a signed note with this ledger's key and returns its tree head; throws
   *     with a message if it does not verify
   */
  public static Result check(CheckpointSink sink, Function<String, TreeHead> open, LedgerReader reader) {
    Objects.requireNonNull(sink, "sink");
    String note;
    try {
      var newest = sink.newest();
      if (newest.isEmpty()) return new Empty(sink.describe());
      note = newest.get();
    } catch (IOException | RuntimeException e) {
      return new Unreachable(sink.describe(), e.getMessage() == null ? e.toString() : e.getMessage());
    }
    TreeHead witnessed;
    try {
      witnessed = open.apply(note);
    } catch (RuntimeException e) {
      return new Inconsistent(sink.describe(),
          "the newest checkpoint at " + sink.describe() + " does not verify with this ledger's key (" + e.getMessage()
              + "). Either the sink belongs to another Ward, or the checkpoint signing key was replaced."
              + " Compare the key in the note with `ward checkpoint export`'s verifier key before serving.");
    }
    long size = reader.size();
    if (witnessed.size() > size) {
      return new Inconsistent(sink.describe(),
          "the witness at " + sink.describe() + " holds a signed checkpoint of " + witnessed.size()
              + " entries, but the ledger has only " + size + ": entries were removed, or the database was"
              + " restored from an older copy. Keep both as evidence and run `ward verify --trusted <the"
              + " newest checkpoint file from the sink>` to see where they part.");
    }
    TreeHead ours = reader.head(witnessed.size());
    if (!MessageDigest.isEqual(ours.root(), witnessed.root())) {
      return new Inconsistent(sink.describe(),
          "the ledger's first " + witnessed.size() + " entries do not hash to the root the witness at "
              + sink.describe() + " holds: entries were changed or replaced after they were signed. Keep the"
              + " database as evidence and run `ward verify --trusted <the newest checkpoint file from the"
              + " sink>` to find the first changed entry.");
    }
    return new Consistent(sink.describe(), witnessed, size);
  }
}
