package health.ward.records;

import java.util.List;
import java.util.Map;

/**
 * A type-level search.
 *
 * @param parameters search parameters and their values as received (one list entry per repetition,
 *     comma-separated alternatives left as sent); excludes the result parameters below
 * @param offset index of the first result to return
 * @param count page size
 * @param sort {@code null}, "_lastUpdated" or "-_lastUpdated"
 * @param countOnly {@code _summary=count}: total only, no resources
 */
public record SearchRequest(
    Map<String, List<String>> parameters, int offset, int count, String sort, boolean countOnly) {
  public SearchRequest {
    parameters = Map.copyOf(parameters);
  }
}
