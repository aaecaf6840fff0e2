package health.ward.breach;

import health.ward.audit.AccessEvent.Outcome;
import health.ward.audit.AuditDetails;
import health.ward.audit.AuditEntry;
import health.ward.audit.AuditLog;
import health.ward.audit.AuditTrail;
import health.ward.common.Pseudonym;
import health.ward.ledger.InclusionProof;
import health.ward.ledger.LedgerReader;
import health.ward.store.PostgresRecordStore;
import health.ward.vault.RecordVault;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The scope of a breach, proven from the ledger: every patient and record that a credential,
 * session or client address touched in a time window, with counts, and for every entry behind it
 * the entry itself and its RFC 9162 inclusion proof against a signed checkpoint. A regulator can
 * hash each entry, check each proof against the checkpoint's root and the checkpoint's signature
 * with the verifier key, without trusting Ward; what the entries say about patients (pseudonyms)
 * is tied to the named patients by Ward's keys, as in every other audit report.
 */
public final class BreachScope {
  /** What the report is about. */
  public enum By { TOKEN, USER, SESSION, ADDRESS }

  /**
   * The selection: how it was given ({@code by}, {@code value}), and the pseudonyms any of which an
   * entry must carry in the selected field.
   */
  public record Selector(By by, String value, Set<Pseudonym> pseudonyms) {
    public Selector {
      Objects.requireNonNull(by, "by");
      Objects.requireNonNull(value, "value");
      pseudonyms = Set.copyOf(pseudonyms);
    }

    boolean matches(AuditEntry e) {
      return switch (by) {
        case TOKEN, USER -> pseudonyms.contains(e.actor());
        case SESSION -> e.session() != null && pseudonyms.contains(e.session());
        case ADDRESS -> e.address() != null && pseudonyms.contains(e.address());
      };
    }
  }

  /** One resource of a patient and how many entries touched it. */
  public record ResourceCount(String reference, int count) {}

  /** One patient in scope. {@code patient} is {@code null} when it cannot be named any more. */
  public record PatientScope(
      String patient, String pseudonym, int accesses, Instant first, Instant last,
      Map<String, Integer> interactions, List<ResourceCount> resources, String note) {}

  /** One ledger entry behind the report, with what proves it. */
  public record EntryProof(
      long index, Instant time, String interaction, String resourceType, String outcome, String entry,
      String leafHash, List<String> inclusionProof) {}

  /** The whole report. */
  public record Report(
      Selector selector, Instant from, Instant to, Instant generatedAt, String checkpoint, long checkpointSize,
      String verifierKey, long entriesScanned, long entriesOfAnotherFormat, int entries, int allowed, int denied, int failed,
      List<PatientScope> patients, List<ResourceCount> otherResources, List<EntryProof> proofs) {}

  private final AuditLog log;
  private final AuditTrail trail;
  private final RecordVault vault;
  private final PostgresRecordStore store;
  private final LedgerReader reader;

  public BreachScope(AuditLog log, AuditTrail trail, RecordVault vault, PostgresRecordStore store, LedgerReader reader) {
    this.log = Objects.requireNonNull(log, "log");
    this.trail = Objects.requireNonNull(trail, "trail");
    this.vault = Objects.requireNonNull(vault, "vault");
    this.store = Objects.requireNonNull(store, "store");
    this.reader = Objects.requireNonNull(reader, "reader");
  }

  /** The pseudonyms of a selection given as a credential id, session or address. */
  public Set<Pseudonym> pseudonyms(By by, List<String> values) {
    String domain = switch (by) {
      case TOKEN, USER -> "actor";
      case SESSION -> "session";
      case ADDRESS -> "address";
    };
    Set<Pseudonym> out = new java.util.HashSet<>();
    for (String v : values) out.add(vault.pseudonym(domain, v));
    return out;
  }

  /**
   * Builds the report: scans the entries whose own time is in {@code [from, to]}, then asks {@code
   * anchor} for a signed checkpoint covering them all and proves each entry against it.
   *
   * @param scanned receives the number of entries looked at, as the scan goes
   */
  public Report run(
      Selector selector, Instant from, Instant to, Supplier<LedgerReader.StoredCheckpoint> anchor,
      String verifierKey, Instant now, LongConsumer scanned) {
    long[] seen = new long[1];
    Predicate<AuditEntry> match =
        e -> {
          if (++seen[0] % 4096 == 0) scanned.accept(seen[0]);
          return selector.matches(e);
        };
    List<AuditLog.Indexed> hits = new ArrayList<>();
    AuditLog.ScanSummary summary = log.scan(from, to, match, hits::add);
    scanned.accept(summary.scanned());

    Map<Pseudonym, String> known = new HashMap<>();
    boolean enumerated = false;
    Map<Pseudonym, Acc> byPatient = new LinkedHashMap<>();
    Map<String, Integer> other = new TreeMap<>();
    int allowed = 0, denied = 0, failed = 0;
    for (AuditLog.Indexed hit : hits) {
      AuditEntry e = hit.entry();
      if (e.outcome() == Outcome.ALLOWED) allowed++;
      else if (e.outcome() == Outcome.DENIED) denied++;
      else failed++;
      AuditDetails d = trail.open(e);
      for (String ref : d.unownedReferences()) other.merge(ref, 1, Integer::sum);
      for (Pseudonym p : e.patients()) {
        Acc a = byPatient.computeIfAbsent(p, x -> new Acc());
        a.accesses++;
        if (a.first == null || e.at().isBefore(a.first)) a.first = e.at();
        if (a.last == null || e.at().isAfter(a.last)) a.last = e.at();
        a.interactions.merge(e.interaction(), 1, Integer::sum);
        if (d.unreadable().contains(p)) a.erased = true;
        for (String ref : d.references().getOrDefault(p, List.of())) {
          a.resources.merge(ref, 1, Integer::sum);
          if (ref.startsWith("Patient/")) known.put(p, ref.substring("Patient/".length()));
        }
      }
    }
    for (Pseudonym p : byPatient.keySet()) {
      if (!known.containsKey(p) && !enumerated) {
        for (String id : store.ids("Patient")) known.putIfAbsent(vault.patientPseudonym(id), id);
        enumerated = true;
      }
    }
    List<PatientScope> patients = new ArrayList<>();
    for (var e : byPatient.entrySet()) {
      Acc a = e.getValue();
      String id = known.get(e.getKey());
      List<ResourceCount> resources = a.resources.entrySet().stream().map(r -> new ResourceCount(r.getKey(), r.getValue())).toList();
      String note = a.erased ? "the patient's key was destroyed: records and audit details are erased"
          : id == null ? "no stored Patient has this pseudonym" : null;
      patients.add(new PatientScope(id == null ? null : "Patient/" + id, e.getKey().hex(), a.accesses, a.first, a.last,
          a.interactions, resources, note));
    }
    patients.sort((x, y) -> Integer.compare(y.accesses(), x.accesses()));

    LedgerReader.StoredCheckpoint cp = anchor.get();
    List<EntryProof> proofs = new ArrayList<>(hits.size());
    Base64.Encoder b64 = Base64.getEncoder();
    for (AuditLog.Indexed hit : hits) {
      if (hit.index() >= cp.size()) {
        throw new health.ward.common.WardException.IntegrityFailure(
            "the checkpoint of size " + cp.size() + " does not cover entry " + hit.index() + ": the ledger changed under the report");
      }
      InclusionProof proof = reader.proveInclusion(hit.index(), cp.size());
      AuditEntry e = hit.entry();
      proofs.add(new EntryProof(hit.index(), e.at(), e.interaction(), e.resourceType(), e.outcome().name(),
          b64.encodeToString(hit.stored()), b64.encodeToString(reader.leafHash(hit.index())),
          proof.hashes().stream().map(b64::encodeToString).toList()));
    }
    List<ResourceCount> others = other.entrySet().stream().map(r -> new ResourceCount(r.getKey(), r.getValue())).toList();
    return new Report(selector, from, to, now, cp.note(), cp.size(), verifierKey, summary.scanned(), summary.undecodable(), hits.size(),
        allowed, denied, failed, patients, others, proofs);
  }

  private static final class Acc {
    int accesses;
    Instant first;
    Instant last;
    boolean erased;
    final Map<String, Integer> interactions = new TreeMap<>();
    final Map<String, Integer> resources = new TreeMap<>();
  }
}
