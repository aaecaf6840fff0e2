package health.ward.store;

import java.util.List;

/**
 * A search over the current, non-deleted versions of one resource type, by blind-index tokens.
 * Every group in {@code allOf} must match (AND); within a group any token may match (OR). An empty
 * {@code allOf} matches every resource of the type. Results are ordered by the order they were last
 * written (oldest first, or newest first when {@code newestFirst}). A {@code visibility}, when
 * given, narrows the results (and counts) to the patients a principal may see.
 */
public record Query(List<List<byte[]>> allOf, int offset, int limit, boolean newestFirst, Visibility visibility) {
  public Query(List<List<byte[]>> allOf, int offset, int limit, boolean newestFirst) {
    this(allOf, offset, limit, newestFirst, null);
  }

  public Query {
    allOf = allOf.stream().map(g -> g.stream().map(byte[]::clone).toList()).toList();
    if (offset < 0) throw new IllegalArgumentException("offset must be >= 0, was " + offset);
    if (limit < 0) throw new IllegalArgumentException("limit must be >= 0, was " + limit);
    for (List<byte[]> g : allOf) {
      if (g.isEmpty()) throw new IllegalArgumentException("a token group must not be empty");
    }
  }
}
