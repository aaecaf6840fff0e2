package health.ward.records;

import java.time.Instant;
import org.hl7.fhir.r4.model.Resource;

/** One version in a resource's history; {@code resource} is {@code null} for a deletion. */
public record HistoryEntry(
    String type, String id, long version, boolean deleted, Instant lastUpdated, Resource resource) {}
