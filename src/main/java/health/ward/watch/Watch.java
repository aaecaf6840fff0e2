package health.ward.watch;

import health.ward.access.Enforcement;
import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import health.ward.audit.AuditTrail;
import health.ward.audit.Touch;
import health.ward.store.PostgresCareStore;
import health.ward.store.PostgresPersonMarkers;
import health.ward.vault.RecordVault;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The watch: scores every access event as it happens and responds by policy.
 *
 * <p>Inline detectors (bulk access, search enumeration, request velocity, refusals, off-hours, a
 * credential from a new address, canary records) keep per-actor state in memory and run before the
 * response, so a scraper is cut off on the request that crosses a limit. Detectors behind the
 * response (VIP, co-worker, family, own record, deceased, break-the-glass abuse) need the database
 * and run on one thread of their own within milliseconds; their responses hold from the next
 * request.
 *
 * <p>Every alert is a ledger entry ({@code watch-alert}, made by {@code operator:watch}, naming the
 * patient concerned) before it is stored and sent to security officers (admin API, webhook,
 * syslog); every response beyond an alert is a ledger entry too ({@code watch-response}), besides
 * the revocation or lock the {@link Enforcement} records itself. A second finding of a detector
 * about the same actor and patient within {@link WatchSettings#repeat()} counts into the first
 * alert. A detector that fails is logged and skipped; it never fails the access it looks at.
 */
public final class Watch implements AccessWatch, AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Watch.class);
  static final Duration THROTTLE_FOR = Duration.ofMinutes(10);
  static final Duration THROTTLE_EVERY = Duration.ofSeconds(2);
  /** How often the count of an alert's repeats is written. */
  static final Duration REPEAT_WRITE = Duration.ofSeconds(10);
  private static final Principal WATCH = Principal.operator("watch");

  private record Pending(Principal who, AccessEvent event) {}

  private final WatchSettings settings;
  private final AuditTrail trail;
  private final AlertStore alerts;
  private final Enforcement enforcement;
  private final AlertDelivery delivery;
  private final Clock clock;
  private final WatchFlags flags;
  private final Baselines baselines = new Baselines();
  /** Needs no state of the actor's, so it runs outside the actor's monitor. */
  private final CanaryRecords canary;
  private final List<InlineDetector> inline;
  /** The detectors that look at every request, record access or not: new address, velocity. */
  private final List<InlineDetector> always;
  private final List<BehindDetector> behind = List.of(new PeopleInRecords(), new BreakGlassAbuse());
  private final Subjects subjects;
  private final Map<String, ActorState> actors = new ConcurrentHashMap<>();
  private final Map<String, Object> alerting = new ConcurrentHashMap<>();
  private final BlockingQueue<Pending> queue = new ArrayBlockingQueue<>(10_000);
  private final Object idle = new Object();
  private long pending;
  private final Thread worker;
  private final WatchProfiles profiles;
  /** When the learned profiles were last written (by the clock the accesses carry). */
  private Instant savedAt;
  static final Duration SAVE_EVERY = Duration.ofMinutes(5);
  private volatile boolean closed;

  public Watch(
      WatchSettings settings, AuditTrail trail, AlertStore alerts, WatchProfiles profiles, WatchFlags flags,
      PostgresPersonMarkers markers,
      PostgresCareStore care, RecordVault vault, Supplier<List<String>> staffPractitioners, Enforcement enforcement,
      AlertDelivery delivery, Clock clock) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.trail = Objects.requireNonNull(trail, "trail");
    this.alerts = Objects.requireNonNull(alerts, "alerts");
    this.enforcement = Objects.requireNonNull(enforcement, "enforcement");
    this.delivery = Objects.requireNonNull(delivery, "delivery");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.flags = Objects.requireNonNull(flags, "flags");
    this.canary = new CanaryRecords(flags);
    this.inline = List.of(
        new NewAddress(), new RequestVelocity(baselines), new BulkAccess(baselines),
        new SearchEnumeration(baselines), new RefusedAccess(), new OffHours(settings.zone()));
    this.always = List.of(inline.get(0), inline.get(1));
    this.subjects = new Subjects(markers, care, flags, staffPractitioners, settings.encounterWindow(),
        code -> MarkerTokens.label(vault, code));
    this.profiles = Objects.requireNonNull(profiles, "profiles");
    this.actors.putAll(profiles.load());
    this.savedAt = clock.instant();
    this.worker = Thread.ofPlatform().name("ward-watch").daemon().start(this::work);
  }

  @Override
  public Verdict inspect(Principal who, AccessEvent e) {
    if (who.kind() == Principal.Kind.OPERATOR || closed) return Verdict.PASS;
    ActorState s = actors.computeIfAbsent(who.id(), id -> new ActorState(id, who.role().code(), who.kind() != Principal.Kind.USER));
    List<Finding> found = new ArrayList<>(2);
    boolean records = Events.recordAccess(e);
    if (records) {
      try {
        canary.inspect(who, e, s, found);
      } catch (RuntimeException ex) {
        LOG.warn("watch detector {} failed: {}", canary.name(), ex.toString());
      }
    }
    Verdict gate = null;
    synchronized (s) {
      if (e.outcome() == AccessEvent.Outcome.ALLOWED && e.at().isBefore(s.throttledUntil)) {
        if (e.at().isBefore(s.nextAllowed)) {
          gate = new Verdict(Response.THROTTLE, "throttle",
              "this credential is throttled to one request every " + THROTTLE_EVERY.toSeconds() + " s until " + s.throttledUntil);
        } else {
          s.nextAllowed = e.at().plus(THROTTLE_EVERY);
        }
      }
      if (gate == null) {
        for (InlineDetector d : records ? inline : always) {
          try {
            d.inspect(who, e, s, found);
          } catch (RuntimeException ex) {
            LOG.warn("watch detector {} failed: {}", d.name(), ex.toString());
          }
        }
      }
    }
    baselines.refresh(actors.values(), e.at());
    if (who.kind() == Principal.Kind.USER && records
        && (!Events.patients(e).isEmpty() || e.interaction().equals("break-glass"))) {
      enqueue(new Pending(who, e));
    }
    if (found.isEmpty()) return gate != null ? gate : Verdict.PASS;
    Verdict v = act(who, e, s, found);
    return v.blocks() || gate == null ? v : gate;
  }

  @Override
  public Watch running() {
    return this;
  }

  /** Waits until the detectors behind the response have seen every event so far (tests, the simulator). */
  public void settle() throws InterruptedException {
    synchronized (idle) {
      while (pending > 0) idle.wait(1000);
    }
  }

  /** The alerts raised so far, newest first (at most {@code limit}), optionally of one status. */
  public List<Alert> alerts(String status, int limit) {
    return alerts.list(status, limit);
  }

  public AlertStore store() {
    return alerts;
  }

  public WatchFlags flags() {
    return flags;
  }

  private void enqueue(Pending p) {
    synchronized (idle) {
      pending++;
    }
    try {
      // A full queue slows accesses down rather than letting them go unwatched.
      queue.put(p);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
      done();
    }
  }

  private void done() {
    synchronized (idle) {
      pending--;
      if (pending == 0) idle.notifyAll();
    }
  }

  private void work() {
    while (!closed || !queue.isEmpty()) {
      Pending p;
      try {
        p = queue.poll(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException ie) {
        if (closed) return;
        continue;
      }
      saveIfDue(false);
      if (p == null) continue;
      try {
        List<Finding> found = new ArrayList<>(2);
        for (BehindDetector d : behind) {
          try {
            d.inspect(p.who(), p.event(), subjects, found);
          } catch (RuntimeException ex) {
            LOG.warn("watch detector {} failed: {}", d.name(), ex.toString());
          }
        }
        if (!found.isEmpty()) {
          ActorState s = actors.get(p.who().id());
          if (s != null) act(p.who(), p.event(), s, found);
        }
      } catch (RuntimeException ex) {
        LOG.warn("watch could not act on findings: {}", ex.toString());
      } finally {
        done();
      }
    }
  }

  /** Raises the findings' alerts and carries out the strongest response; returns the verdict on the access. */
  private Verdict act(Principal who, AccessEvent e, ActorState s, List<Finding> found) {
    Response strongest = Response.OFF;
    Finding top = null;
    synchronized (alerting.computeIfAbsent(who.id(), k -> new Object())) {
      for (Finding f : found) {
        Response r = settings.responses().getOrDefault(f.detector(), f.response());
        if (r == Response.OFF) continue;
        long alert;
        try {
          alert = raise(who, e, s, f, r);
        } catch (RuntimeException ex) {
          // An alert that cannot be recorded still gets its response: fail closed.
          LOG.error("watch could not record a {} alert about {}: {}", f.detector(), who.name(), ex.toString());
          alert = -1;
        }
        if (r.compareTo(strongest) > 0) {
          strongest = r;
          top = new Finding(f.detector(), f.severity(), r, f.patient(), f.explanation() + (alert > 0 ? " [alert " + alert + "]" : ""));
        }
      }
      if (top != null && strongest.compareTo(Response.ALERT) > 0) respond(who, e, s, strongest, top);
    }
    if (top == null || !strongest.blocks() || e.outcome() != AccessEvent.Outcome.ALLOWED) return Verdict.PASS;
    return new Verdict(strongest, top.detector(), top.explanation());
  }

  private long raise(Principal who, AccessEvent e, ActorState s, Finding f, Response r) {
    String key = f.detector() + "|" + (f.patient() == null ? "" : f.patient().hex());
    Instant now = e.at();
    long repeated = 0;
    Long open;
    synchronized (s) {
      Instant last = s.lastAlert.get(key);
      open = s.lastAlertId.get(key);
      if (last != null && open != null && !now.isBefore(last) && Duration.between(last, now).compareTo(settings.repeat()) < 0) {
        // A flood of repeats costs one update every few seconds, not one per access.
        long n = s.repeats.merge(key, 1L, Long::sum);
        Instant written = s.repeatsWritten.getOrDefault(key, Instant.MIN);
        if (written.equals(Instant.MIN) || Duration.between(written, now).compareTo(REPEAT_WRITE) >= 0) {
          s.repeats.remove(key);
          s.repeatsWritten.put(key, now);
          repeated = n;
        }
      } else {
        open = null;
      }
    }
    if (open != null) {
      if (repeated > 0) alerts.bump(open, repeated);
      return open;
    }
    Touch touch = f.patient() == null ? null : Events.touchOf(e, f.patient());
    long index = trail.record(entry("watch-alert", f.detector(), e, touch));
    Alert a = new Alert(0, now, f.detector(), f.severity(), who.id(), who.name(), who.role().code(), e.session(), e.address(),
        f.patient() == null ? null : f.patient().hex(), f.explanation(), r, index, "open", null, null, 1);
    long id = alerts.insert(a);
    synchronized (s) {
      s.lastAlert.put(key, now);
      s.lastAlertId.put(key, id);
    }
    Alert stored = new Alert(id, a.at(), a.detector(), a.severity(), a.actor(), a.actorName(), a.role(), a.session(), a.address(),
        a.patient(), a.explanation(), a.response(), a.ledgerIndex(), a.status(), null, null, 1);
    delivery.submit(stored);
    LOG.warn("watch alert {} [{} {}] {} -> {}", id, f.detector(), f.severity().code(), f.explanation(), r.code());
    return id;
  }

  private void respond(Principal who, AccessEvent e, ActorState s, Response r, Finding f) {
    String reason = "watch: " + f.detector() + " (" + r.code() + ")";
    try {
      trail.record(entry("watch-response", r.code() + " " + f.detector(), e, null));
      switch (r) {
        case THROTTLE -> {
          synchronized (s) {
            s.throttledUntil = e.at().plus(THROTTLE_FOR);
            s.nextAllowed = e.at().plus(THROTTLE_EVERY);
          }
        }
        case STEP_UP -> {
          enforcement.stepUp(who.id(), e.session(), reason);
          synchronized (s) {
            s.reset();
          }
        }
        case REVOKE -> enforcement.lock(who.id(), e.session(), reason);
        default -> {}
      }
      LOG.warn("watch response: {} for {} ({})", r.code(), who.name(), f.detector());
    } catch (RuntimeException ex) {
      LOG.error("watch could not carry out {} for {}: {}", r.code(), who.name(), ex.toString());
    }
  }

  private AccessEvent entry(String interaction, String shape, AccessEvent e, Touch touch) {
    return new AccessEvent(clock.instant(), WATCH.id(), WATCH.name(), WATCH.role().code(), e.session(), interaction,
        touch == null ? "*" : touch.resourceType(), shape, touch == null ? List.of() : List.of(touch),
        AccessEvent.Outcome.ALLOWED, shape.contains(" ") ? shape.substring(shape.indexOf(' ') + 1) : shape, false,
        "HSYSADMIN", e.address(), null);
  }

  @Override
  public void close() {
    closed = true;
    try {
      worker.join(5_000);
    } catch (InterruptedException ie) {
      Thread.currentThread().interrupt();
    }
    saveIfDue(true);
    delivery.close();
  }

  /** Writes what was learned of every actor, every {@link #SAVE_EVERY} and at close; a failure is logged and retried. */
  private synchronized void saveIfDue(boolean now) {
    Instant at = clock.instant();
    if (!now && Duration.between(savedAt, at).abs().compareTo(SAVE_EVERY) < 0) return;
    savedAt = at;
    Map<String, String> out = new HashMap<>();
    for (ActorState s : actors.values()) {
      synchronized (s) {
        out.put(s.actor, s.toJson().toString());
      }
    }
    try {
      profiles.save(out, at);
    } catch (RuntimeException e) {
      LOG.warn("watch could not save what it learned ({}); it keeps it in memory and tries again", e.getMessage());
    }
  }
}
