package health.ward.store;

import java.util.List;
import java.util.Optional;

/**
 * Storage of sealed resource versions and their blind-index tokens. Storage is untrusted: it sees
 * resource types, logical ids, version numbers, patient pseudonyms, tokens and ciphertext, never
 * content. Implementations report database failures as
 * {@link health.ward.common.WardException.StoreUnavailable}.
 */
public interface RecordStore {

  /** The current version (possibly a deletion), if the resource ever existed. */
  Optional<StoredRecord> current(String type, String id);

  /** One version, if it exists. */
  Optional<StoredRecord> version(String type, String id, long version);

  /** Every version, newest first; empty if the resource never existed. */
  List<StoredRecord> history(String type, String id);

  /** Stores all writes in one transaction: all or nothing. */
  void write(List<VersionWrite> writes);

  /** Current non-deleted versions matching the query, in the query's order and page. */
  List<StoredRecord> search(String type, Query query);

  /** How many current non-deleted versions match the query (offset and limit ignored). */
  long count(String type, Query query);
}
