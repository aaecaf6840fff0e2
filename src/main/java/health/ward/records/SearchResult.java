package health.ward.records;

import java.util.List;
import org.hl7.fhir.r4.model.Resource;

/**
 * One page of search results, the total number of matches, and the resources {@code _include} or
 * {@code _revinclude} brought along (not counted in the total).
 */
public record SearchResult(List<Resource> resources, long total, List<Resource> included) {
  public SearchResult {
    resources = List.copyOf(resources);
    included = List.copyOf(included);
  }

  public SearchResult(List<Resource> resources, long total) {
    this(resources, total, List.of());
  }
}
