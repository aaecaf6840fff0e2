package health.ward.audit;

import health.ward.common.Canonical;
import health.ward.common.Pseudonym;
import health.ward.common.WardException;
import health.ward.ledger.Ledger;
import health.ward.vault.RecordVault;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The fail-closed trail: turns an {@link AccessEvent} into a PHI-free {@link AuditEntry} (keyed
 * pseudonyms, details sealed under the patients' keys) and records it only when the ledger has made
 * it durable. Any failure surfaces as {@link WardException.LedgerUnavailable}; callers must not act
 * or answer after it. Also opens entries' sealed details for readers the policy allowed.
 */
public final class AuditTrail {
  private final Ledger ledger;
  private final RecordVault vault;

  public AuditTrail(Ledger ledger, RecordVault vault) {
    this.ledger = Objects.requireNonNull(ledger, "ledger");
    this.vault = Objects.requireNonNull(vault, "vault");
  }

  /** Records the event durably and returns its ledger index. */
  public long record(AccessEvent event) {
    return begin(event).await();
  }

  /**
   * Seals the event and queues it for the ledger without waiting for the disk. The caller may
   * prepare its answer meanwhile but must {@link Ledger.Durable#await} before answering or acting;
   * await throws {@link WardException.LedgerUnavailable} if the entry could not be made durable.
   */
  public Ledger.Durable begin(AccessEvent event) {
    byte[] entry;
    try {
      entry = seal(event).encode();
    } catch (WardException e) {
      throw new WardException.LedgerUnavailable("the audit entry could not be sealed (" + e.code() + ")", e);
    } catch (RuntimeException e) {
      throw new WardException.LedgerUnavailable("the audit entry could not be sealed", e);
    }
    Ledger.Durable pending;
    try {
      pending = ledger.appendAsync(entry);
    } catch (WardException.LedgerUnavailable e) {
      throw e;
    } catch (RuntimeException e) {
      throw new WardException.LedgerUnavailable("the audit ledger did not accept the entry", e);
    }
    return () -> {
      try {
        return pending.await();
      } catch (WardException.LedgerUnavailable e) {
        throw e;
      } catch (RuntimeException e) {
        throw new WardException.LedgerUnavailable("the audit ledger did not accept the entry", e);
      }
    };
  }

  /** The entry for {@code event}: pseudonyms for identifying values, plain details sealed. */
  public AuditEntry seal(AccessEvent e) {
    List<AuditEntry.Touched> touched = new ArrayList<>(e.touched().size());
    Map<Pseudonym, List<String>> byPatient = new LinkedHashMap<>();
    List<String> unowned = new ArrayList<>();
    for (Touch t : e.touched()) {
      String ref = t.reference();
      touched.add(new AuditEntry.Touched(t.patient(), t.resourceType(), vault.pseudonym("resource", ref)));
      if (t.patient() == null) unowned.add(ref);
      else byPatient.computeIfAbsent(t.patient(), p -> new ArrayList<>()).add(ref);
    }
    AuditEntry open =
        new AuditEntry(
            e.at(),
            vault.pseudonym("actor", e.actorId()),
            e.actorRole(),
            e.session() == null ? null : vault.pseudonym("session", e.session()),
            e.interaction(),
            e.resourceType(),
            e.searchShape(),
            e.outcome(),
            e.rule(),
            e.emergency(),
            e.purposeOfUse(),
            e.address() == null ? null : vault.pseudonym("address", e.address()),
            e.userAgent() == null ? null : vault.pseudonym("user-agent", e.userAgent()),
            touched,
            List.of());
    List<AuditEntry.Sealed> sealed = new ArrayList<>(byPatient.size() + 1);
    for (var p : byPatient.entrySet()) {
      Canonical refs = Canonical.builder().text("refs").number(p.getValue().size());
      for (String ref : p.getValue()) refs.text(ref);
      sealed.add(new AuditEntry.Sealed(p.getKey(), vault.sealDetail(p.getKey(), open.detailContext(p.getKey()), refs.encode())));
    }
    Canonical who =
        Canonical.builder()
            .text("who")
            .text(e.actorId())
            .text(e.actorName())
            .text(e.session())
            .text(e.address())
            .text(e.userAgent())
            .number(unowned.size());
    for (String ref : unowned) who.text(ref);
    sealed.add(new AuditEntry.Sealed(null, vault.sealDetail(null, open.detailContext(null), who.encode())));
    return new AuditEntry(
        open.at(), open.actor(), open.actorRole(), open.session(), open.interaction(), open.resourceType(),
        open.searchShape(), open.outcome(), open.rule(), open.emergency(), open.purposeOfUse(), open.address(),
        open.userAgent(), open.touched(), sealed);
  }

  /**
   * Opens the sealed details of {@code entry}. A patient whose key was shredded is listed as
   * unreadable; a detail that was altered or moved throws {@link WardException.IntegrityFailure}.
   */
  public AuditDetails open(AuditEntry entry) {
    if (entry.firstFormat()) {
      // Format 1 sealed nothing: who acted and which records are known only as pseudonyms.
      return new AuditDetails("(not recorded)", "(not recorded)", null, null, null, Map.of(), List.of(), Set.of());
    }
    Map<Pseudonym, List<String>> refs = new LinkedHashMap<>();
    Set<Pseudonym> unreadable = new HashSet<>();
    String actorId = null, actorName = null, session = null, address = null, userAgent = null;
    List<String> unowned = List.of();
    boolean sawWho = false;
    for (AuditEntry.Sealed s : entry.details()) {
      byte[] plain;
      try {
        plain = vault.openDetail(s.patient(), entry.detailContext(s.patient()), s.ciphertext());
      } catch (WardException.KeyUnavailable gone) {
        if (s.patient() == null) throw gone;
        unreadable.add(s.patient());
        continue;
      }
      try {
        Canonical.Reader r = Canonical.reader(plain);
        if (s.patient() == null) {
          if (!"who".equals(r.text())) throw new IllegalArgumentException("not an actor detail");
          actorId = r.text();
          actorName = r.text();
          session = r.text();
          address = r.text();
          userAgent = r.text();
          unowned = readRefs(r);
          sawWho = true;
        } else {
          if (!"refs".equals(r.text())) throw new IllegalArgumentException("not a patient detail");
          refs.put(s.patient(), readRefs(r));
        }
        r.end();
      } catch (IllegalArgumentException bad) {
        throw new WardException.IntegrityFailure("an audit detail does not have its format: " + bad.getMessage());
      }
    }
    if (!sawWho || actorId == null || actorName == null) {
      throw new WardException.IntegrityFailure("the audit entry has no readable actor detail");
    }
    return new AuditDetails(actorId, actorName, session, address, userAgent, refs, unowned, unreadable);
  }

  private static List<String> readRefs(Canonical.Reader r) {
    long n = r.number();
    if (n < 0 || n > 1_000_000) throw new IllegalArgumentException("bad reference count " + n);
    List<String> out = new ArrayList<>((int) n);
    for (long i = 0; i < n; i++) {
      String ref = r.text();
      if (ref == null) throw new IllegalArgumentException("a reference is missing");
      out.add(ref);
    }
    return out;
  }
}
