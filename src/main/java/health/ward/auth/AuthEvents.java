package health.ward.auth;

import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import health.ward.audit.AccessEvent.Outcome;
import health.ward.audit.AuditTrail;
import health.ward.audit.LedgerOutbox;
import health.ward.audit.Touch;
import health.ward.records.RequestContext;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * Puts identity events in the ledger: sign-ins and their failures, enrolments, account changes,
 * token issue and revocation. The process that owns the ledger ({@code ward serve}) appends each
 * entry, durably, before the change it records commits; any other process (a command run while the
 * server runs) stages it in the ledger outbox inside the change's own transaction.
 *
 * <p>Entries name the account acted on as a touched {@code StaffUser}, {@code Client} or
 * {@code Session} reference (sealed, like every plain reference) and never hold a secret.
 */
public final class AuthEvents {
  private final AuditTrail trail;
  private final LedgerOutbox outbox;
  private final boolean ownsLedger;
  private final Clock clock;

  public AuthEvents(AuditTrail trail, LedgerOutbox outbox, boolean ownsLedger, Clock clock) {
    this.trail = Objects.requireNonNull(trail, "trail");
    this.outbox = Objects.requireNonNull(outbox, "outbox");
    this.ownsLedger = ownsLedger;
    this.clock = Objects.requireNonNull(clock, "clock");
  }

  /**
   * Records an event in {@code c}'s transaction (staged) or in the ledger now (owner); throws
   * LedgerUnavailable (owner) or SQLException (staged) if it cannot, and the caller must not commit.
   */
  void record(Connection c, RequestContext ctx, String interaction, String type, String id, Outcome outcome, String rule)
      throws SQLException {
    AccessEvent e = event(ctx, interaction, type, id, outcome, rule);
    if (ownsLedger) trail.record(e);
    else outbox.stage(c, e);
  }

  /** Records, durably and now, an event that changes nothing stored (e.g. a refused sign-in). */
  void record(RequestContext ctx, String interaction, String type, String id, Outcome outcome, String rule) {
    trail.record(event(ctx, interaction, type, id, outcome, rule));
  }

  /** Records, durably and now, a refused attempt by someone not (yet) known: an unknown user name, say. */
  void recordAnonymous(String address, String userAgent, String interaction, String type, Outcome outcome, String rule) {
    trail.record(new AccessEvent(
        clock.instant(), "unauthenticated", "unauthenticated", "unauthenticated", null, interaction, type, "", List.of(),
        outcome, rule, false, "TREAT", address, userAgent));
  }

  private AccessEvent event(RequestContext ctx, String interaction, String type, String id, Outcome outcome, String rule) {
    Principal who = ctx.principal();
    return new AccessEvent(
        clock.instant(), who.id(), who.name(), who.role().code(), ctx.session(), interaction, type, "",
        id == null ? List.of() : List.of(new Touch(null, type, id)), outcome, rule, false, ctx.purposeOfUse(),
        ctx.address(), ctx.userAgent());
  }

  /** Whether this process appends to the ledger itself. */
  boolean ownsLedger() {
    return ownsLedger;
  }
}
