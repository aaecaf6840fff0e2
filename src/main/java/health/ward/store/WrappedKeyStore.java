package health.ward.store;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Storage of wrapped keys: opaque ciphertexts addressed by (kind, name). The store never sees key
 * material in the clear; it is untrusted and the keys layer authenticates every value it returns.
 * All methods throw {@code WardException.StoreUnavailable} when the database fails.
 */
public interface WrappedKeyStore {

  /** One row: a wrapped key and where it lives. */
  record Entry(String kind, byte[] name, byte[] wrapped) {
    public Entry {
      Objects.requireNonNull(kind, "kind");
      Objects.requireNonNull(name, "name");
      Objects.requireNonNull(wrapped, "wrapped");
      name = name.clone();
      wrapped = wrapped.clone();
    }

    @Override
    public byte[] name() {
      return name.clone();
    }

    @Override
    public byte[] wrapped() {
      return wrapped.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Entry e
          && e.kind.equals(kind)
          && Arrays.equals(e.name, name)
          && Arrays.equals(e.wrapped, wrapped);
    }

    @Override
    public int hashCode() {
      return Objects.hash(kind, Arrays.hashCode(name), Arrays.hashCode(wrapped));
    }

    @Override
    public String toString() {
      return "Entry[" + kind + ", name=" + name.length + " bytes, wrapped=" + wrapped.length + " bytes]";
    }
  }

  /** Computes a row's new wrapped value during {@link #rewrapAll}; may throw to abort the batch. */
  @FunctionalInterface
  interface Rewrap {
    byte[] rewrap(Entry entry);
  }

  /** The wrapped value at (kind, name), if any. */
  Optional<byte[]> find(String kind, byte[] name);

  /**
   * Stores {@code wrapped} at (kind, name) unless a value is already there, and returns the value
   * that is there afterwards: ours, or the one a concurrent writer stored first.
   */
  byte[] putIfAbsent(String kind, byte[] name, byte[] wrapped);

  /**
   * Replaces every row's value with {@code rewrap}'s result, in key order, {@code batchSize} rows
   * per transaction; each batch is all-or-nothing. Returns the number of rows rewritten; {@code
   * progress} receives the running total after each batch.
   */
  long rewrapAll(int batchSize, Rewrap rewrap, Consumer<Long> progress);

  /** Visits every row in key order, reading {@code batchSize} rows at a time. */
  void forEach(int batchSize, Consumer<Entry> action);

  /** Deletes the row at (kind, name); true if there was one. Used for crypto-shredding. */
  boolean delete(String kind, byte[] name);

  /** Number of rows of this kind. */
  long count(String kind);
}
