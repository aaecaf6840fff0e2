package health.ward.audit;

import health.ward.common.WardException;
import health.ward.ledger.Ledger;

/**
 * The fail-closed trail: an event is recorded only when the ledger has made it durable. Any failure
 * surfaces as {@link WardException.LedgerUnavailable}; callers must not act or answer after it.
 */
public final class AuditTrail {
  private final Ledger ledger;

  public AuditTrail(Ledger ledger) {
    this.ledger = ledger;
  }

  /** Records the event durably and returns its ledger index. */
  public long record(AccessEvent event) {
    try {
      return ledger.append(event.encode());
    } catch (WardException.LedgerUnavailable e) {
      throw e;
    } catch (RuntimeException e) {
      throw new WardException.LedgerUnavailable("the audit ledger did not accept the entry", e);
    }
  }
}
