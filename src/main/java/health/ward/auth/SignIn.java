package health.ward.auth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.yubico.webauthn.AssertionRequest;
import com.yubico.webauthn.data.PublicKeyCredentialCreationOptions;
import health.ward.access.Role;
import health.ward.access.Scopes;
import health.ward.audit.AccessEvent.Outcome;
import health.ward.common.WardException;
import health.ward.crypto.PasswordHash;
import health.ward.records.RequestContext;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Base64;
import java.util.Deque;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Staff sign-in and enrolment: a password (Argon2id) and then a second factor — WebAuthn, or TOTP
 * where the role's policy allows it — before a session token is issued. Also ends sessions.
 *
 * <p><b>Against guessing.</b> Every failure answers the same {@value #FAILED}, whether the user is
 * unknown, the password wrong, the account locked, disabled or not enrolled; an unknown user costs
 * the same Argon2id evaluation as a known one. {@value StaffDirectory#LOCK_AFTER} failures in a row
 * lock an account for 15 minutes; one address may try {@code attemptsPerAddress} times a minute
 * (then {@link WardException.RateLimited}). A password step yields a ticket valid for
 * {@link #TICKET_LIFETIME} and {@value #FACTOR_ATTEMPTS} second-factor attempts.
 *
 * <p><b>Audit.</b> Every sign-in, failure (with its cause as the rule), sign-out and enrolment step
 * is a ledger entry, durable before the answer.
 */
public final class SignIn {
  static final String FAILED = "sign-in failed: wrong user name, password or second factor, or the account cannot sign in now";
  static final Duration TICKET_LIFETIME = Duration.ofMinutes(5);
  static final int FACTOR_ATTEMPTS = 3;
  static final int MIN_PASSWORD = 12;
  static final int MAX_PASSWORD = 256;

  /**
   * Session and factor policy.
   *
   * @param idle a session dies after this long without a request
   * @param absolute and after this long in any case
   * @param totpRoles roles that may use TOTP instead of WebAuthn (default clerk and auditor; clinical
   *     and administrative roles need WebAuthn)
   * @param rpId the WebAuthn relying party id: the host name users reach Ward at
   * @param origins the exact origins the sign-in page is served from
   * @param attemptsPerAddress password attempts one address may make per minute
   */
  public record Settings(
      Duration idle, Duration absolute, Set<Role> totpRoles, String rpId, Set<String> origins, int attemptsPerAddress) {
    public Settings {
      Objects.requireNonNull(idle, "idle");
      Objects.requireNonNull(absolute, "absolute");
      totpRoles = Set.copyOf(totpRoles);
      origins = Set.copyOf(origins);
      if (idle.compareTo(Duration.ofMinutes(1)) < 0 || absolute.compareTo(idle) < 0) {
        throw new IllegalArgumentException("the idle timeout is at least a minute and no longer than the session lifetime");
      }
    }

    public static Settings defaults(String rpId, Set<String> origins) {
      return new Settings(Duration.ofMinutes(15), Duration.ofHours(12), EnumSet.of(Role.CLERK, Role.AUDITOR), rpId, origins, 20);
    }

    /** The second factors a role may use. */
    public List<String> factors(Role role) {
      return totpRoles.contains(role) ? List.of("webauthn", "totp") : List.of("webauthn");
    }
  }

  /** After the password: what to do next. */
  public record Step(String ticket, List<String> factors) {}

  /** A signed-in session: the bearer token, shown once. */
  public record Session(TokenSecret token, long id, String username, Role role, Instant expires, Duration lifetime, Duration idle) {}

  /** What the enrolment page shows. */
  public record EnrolmentState(String username, String displayName, Role role, boolean passwordSet, List<String> factors, boolean done) {}

  /** A TOTP secret to confirm: the base32 form and the otpauth URI for a QR code. */
  public record TotpSetup(String secret, String uri) {}

  private record Ticket(long userId, Instant expires, int[] attempts, AssertionRequest[] assertion) {}

  private record Pending(PublicKeyCredentialCreationOptions options, byte[] totp) {}

  private final StaffDirectory directory;
  private final ApiTokens tokens;
  private final Passkeys passkeys;
  private final Settings settings;
  private final Clock clock;
  private final SecureRandom random;
  private final Map<String, Ticket> tickets = new ConcurrentHashMap<>();
  private final Map<String, Pending> enrolling = new ConcurrentHashMap<>();
  private final Map<String, Deque<Instant>> attempts = new ConcurrentHashMap<>();

  public SignIn(StaffDirectory directory, ApiTokens tokens, Settings settings, Clock clock, SecureRandom random) {
    this.directory = Objects.requireNonNull(directory, "directory");
    this.tokens = Objects.requireNonNull(tokens, "tokens");
    this.settings = Objects.requireNonNull(settings, "settings");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.random = Objects.requireNonNull(random, "random");
    this.passkeys = new Passkeys(directory.dataSource(), directory, clock, settings.rpId(), settings.origins());
  }

  public Settings settings() {
    return settings;
  }

  // ---- sign-in ---------------------------------------------------------------------------------

  /** The first step: user name and password. The caller's array is cleared. */
  public Step password(String username, char[] password, String address, String userAgent) {
    try {
      throttle(address);
      String name = username == null ? "" : username.strip().toLowerCase(java.util.Locale.ROOT);
      var found = name.length() > 64 ? java.util.Optional.<StaffDirectory.Account>empty() : directory.account(name);
      boolean matches = PasswordHash.verify(password, found.map(StaffDirectory.Account::passwordHash).orElse(null));
      if (found.isEmpty()) {
        directory.events().recordAnonymous(address, userAgent, "sign-in", "Session", Outcome.DENIED, "unknown-user");
        throw failed();
      }
      StaffDirectory.Account a = found.get();
      RequestContext ctx = context(a, address, userAgent);
      String refusal = refusal(a, matches);
      if (refusal != null) {
        if (!matches) directory.recordFailure(a.id());
        directory.events().record(ctx, "sign-in", "StaffUser", Long.toString(a.id()), Outcome.DENIED, refusal);
        throw failed();
      }
      if (PasswordHash.needsRehash(a.passwordHash())) directory.rehash(a.id(), PasswordHash.hash(password, random));
      String ticket = secret();
      tickets.put(ticket, new Ticket(a.id(), clock.instant().plus(TICKET_LIFETIME), new int[1], new AssertionRequest[1]));
      prune();
      return new Step(ticket, available(a));
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /** WebAuthn options (JSON for {@code navigator.credentials.get}) for a ticket's account. */
  public String webauthnOptions(String ticket) {
    Ticket t = ticket(ticket);
    StaffDirectory.Account a = directory.account(t.userId()).orElseThrow(SignIn::failed);
    AssertionRequest request = passkeys.startAssertion(a);
    t.assertion()[0] = request;
    try {
      return request.toCredentialsGetJson();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("WebAuthn options could not be written", e);
    }
  }

  /** The second step by WebAuthn: the browser's assertion (JSON). */
  public Session webauthn(String ticket, String assertionJson, String address, String userAgent) {
    Ticket t = ticket(ticket);
    StaffDirectory.Account a = directory.account(t.userId()).orElseThrow(SignIn::failed);
    AssertionRequest request = t.assertion()[0];
    boolean ok = request != null && assertionJson != null && assertionJson.length() < 64_000
        && passkeys.finishAssertion(a, request, assertionJson);
    return secondFactor(ticket, t, a, ok, "password+webauthn", address, userAgent);
  }

  /** The second step by TOTP, for roles whose policy allows it. */
  public Session totp(String ticket, String code, String address, String userAgent) {
    Ticket t = ticket(ticket);
    StaffDirectory.Account a = directory.account(t.userId()).orElseThrow(SignIn::failed);
    boolean ok = false;
    if (available(a).contains("totp")) {
      OptionalLong step = Totp.verify(directory.totpSecret(a), code, clock.instant(), a.totpLastStep());
      ok = step.isPresent() && directory.acceptTotpStep(a.id(), step.getAsLong());
    }
    return secondFactor(ticket, t, a, ok, "password+totp", address, userAgent);
  }

  /** Ends the session a token belongs to (idempotent: an unknown token is not an error). */
  public void signOut(String token, String address, String userAgent) {
    RequestContext ctx;
    try {
      ctx = new RequestContext(tokens.authenticate(token), address, userAgent);
    } catch (WardException.Unauthenticated e) {
      return;
    }
    tokens.revoke(ctx, ctx.session(), "signed out");
  }

  private Session secondFactor(
      String ticketId, Ticket t, StaffDirectory.Account a, boolean ok, String rule, String address, String userAgent) {
    RequestContext ctx = context(a, address, userAgent);
    String refusal = ok ? refusal(a, true) : "bad-second-factor";
    if (refusal != null) {
      if (!ok) directory.recordFailure(a.id());
      if (++t.attempts()[0] >= FACTOR_ATTEMPTS) tickets.remove(ticketId);
      directory.events().record(ctx, "sign-in", "StaffUser", Long.toString(a.id()), Outcome.DENIED, refusal);
      throw failed();
    }
    tickets.remove(ticketId);
    directory.recordSuccess(a.id());
    if (a.stepUpRequired()) directory.steppedUp(a.id());
    directory.events().record(ctx, "sign-in", "StaffUser", Long.toString(a.id()), Outcome.ALLOWED, rule);
    IssuedToken issued = tokens.issue(ctx, new ApiTokens.Issue(
        a.username(), a.role(), Scopes.parse("user/*.cruds"), a.id(), null, settings.absolute(), settings.idle(), address));
    return new Session(issued.secret(), Long.parseLong(issued.id()), a.username(), a.role(),
        issued.createdAt().plus(settings.absolute()), settings.absolute(), settings.idle());
  }

  /** Why an account may not sign in now, as the rule recorded; null if it may. */
  private String refusal(StaffDirectory.Account a, boolean passwordMatches) {
    if (a.lockedUntil() != null && a.lockedUntil().isAfter(clock.instant())) return "locked";
    if (!passwordMatches) return "bad-password";
    if (!"active".equals(a.status())) return "account-" + a.status();
    if (available(a).isEmpty()) return "no-second-factor";
    return null;
  }

  private List<String> available(StaffDirectory.Account a) {
    List<String> out = new java.util.ArrayList<>();
    // After a step-up response of the watch, only a passkey signs the account in.
    for (String f : a.stepUpRequired() ? List.of("webauthn") : settings.factors(a.role())) {
      if (f.equals("webauthn") && passkeys.count(a.id()) > 0) out.add(f);
      if (f.equals("totp") && a.sealedTotp() != null) out.add(f);
    }
    return out;
  }

  private Ticket ticket(String id) {
    Ticket t = id == null ? null : tickets.get(id);
    if (t == null || t.expires().isBefore(clock.instant())) {
      if (id != null) tickets.remove(id);
      throw new WardException.Unauthenticated("the sign-in has expired; start again with the password");
    }
    return t;
  }

  // ---- enrolment -------------------------------------------------------------------------------

  /** Where an enrolment link stands; Unauthenticated if the link is unknown, used or expired. */
  public EnrolmentState enrolment(String secret) {
    StaffDirectory.Account a = enrollingAccount(secret);
    return new EnrolmentState(a.username(), a.displayName(), a.role(), a.passwordHash() != null, settings.factors(a.role()), false);
  }

  /** Sets the password of an enrolling account (12 to 256 characters, not the user name). */
  public void enrolPassword(String secret, char[] password, String address, String userAgent) {
    try {
      throttle(address);
      StaffDirectory.Account a = enrollingAccount(secret);
      String p = new String(password);
      if (p.length() < MIN_PASSWORD || p.length() > MAX_PASSWORD || p.strip().toLowerCase(java.util.Locale.ROOT).contains(a.username())) {
        throw new WardException.InvalidRequest(
            "a password is " + MIN_PASSWORD + " to " + MAX_PASSWORD + " characters and does not contain the user name");
      }
      directory.setPassword(context(a, address, userAgent), a.id(), PasswordHash.hash(password, random));
    } finally {
      Arrays.fill(password, '\0');
    }
  }

  /** WebAuthn registration options (JSON for {@code navigator.credentials.create}). */
  public String enrolWebauthnOptions(String secret) {
    StaffDirectory.Account a = enrollingAccount(secret);
    PublicKeyCredentialCreationOptions options = passkeys.startRegistration(a);
    enrolling.put(key(secret), new Pending(options, null));
    try {
      return options.toCredentialsCreateJson();
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("WebAuthn options could not be written", e);
    }
  }

  /** Registers the browser's new credential; finishes enrolment if the password is set. */
  public EnrolmentState enrolWebauthn(String secret, String credentialJson, String address, String userAgent) {
    StaffDirectory.Account a = enrollingAccount(secret);
    Pending p = enrolling.remove(key(secret));
    if (p == null || p.options() == null) throw new WardException.InvalidRequest("start the security key registration first");
    if (credentialJson == null || credentialJson.length() > 64_000) throw new WardException.InvalidRequest("the registration is malformed");
    passkeys.finishRegistration(a, p.options(), credentialJson);
    return finish(a, "webauthn", address, userAgent);
  }

  /** A new TOTP secret to confirm with a code (roles whose policy allows TOTP). */
  public TotpSetup enrolTotp(String secret) {
    StaffDirectory.Account a = enrollingAccount(secret);
    if (!settings.factors(a.role()).contains("totp")) {
      throw new WardException.Forbidden("the " + a.role().code() + " role signs in with a security key or passkey (WebAuthn), not TOTP");
    }
    byte[] totp = new byte[Totp.SECRET_BYTES];
    random.nextBytes(totp);
    enrolling.put(key(secret), new Pending(null, totp));
    return new TotpSetup(Totp.base32(totp), Totp.uri("Ward", a.username(), totp));
  }

  /** Confirms the TOTP secret with a current code; finishes enrolment if the password is set. */
  public EnrolmentState confirmTotp(String secret, String code, String address, String userAgent) {
    StaffDirectory.Account a = enrollingAccount(secret);
    Pending p = enrolling.get(key(secret));
    if (p == null || p.totp() == null) throw new WardException.InvalidRequest("start the authenticator app set-up first");
    if (Totp.verify(p.totp(), code, clock.instant(), -1).isEmpty()) {
      throw new WardException.InvalidRequest("that code is not the current one; check the app's clock and try again");
    }
    enrolling.remove(key(secret));
    directory.setTotp(context(a, address, userAgent), a.id(), p.totp());
    return finish(a, "totp", address, userAgent);
  }

  private EnrolmentState finish(StaffDirectory.Account a, String factor, String address, String userAgent) {
    StaffDirectory.Account now = directory.account(a.id()).orElseThrow();
    boolean done = now.passwordHash() != null;
    if (done) directory.activate(context(now, address, userAgent), now.id(), factor);
    return new EnrolmentState(now.username(), now.displayName(), now.role(), now.passwordHash() != null, settings.factors(now.role()), done);
  }

  private StaffDirectory.Account enrollingAccount(String secret) {
    return directory.enrolling(secret).orElseThrow(
        () -> new WardException.Unauthenticated("this enrolment link is unknown, used or expired; ask an administrator for a new one"));
  }

  // ---- helpers ---------------------------------------------------------------------------------

  /** Counts an attempt from {@code address}; RateLimited beyond the per-minute allowance. */
  private void throttle(String address) {
    Instant now = clock.instant();
    Deque<Instant> q = attempts.computeIfAbsent(address == null ? "local" : address, k -> new ArrayDeque<>());
    synchronized (q) {
      while (!q.isEmpty() && q.peekFirst().isBefore(now.minus(Duration.ofMinutes(1)))) q.pollFirst();
      if (q.size() >= settings.attemptsPerAddress()) {
        throw new WardException.RateLimited("too many sign-in attempts from this address; wait a minute");
      }
      q.addLast(now);
    }
  }

  private void prune() {
    Instant now = clock.instant();
    tickets.values().removeIf(t -> t.expires().isBefore(now));
    if (attempts.size() > 10_000) attempts.clear();
  }

  private static RequestContext context(StaffDirectory.Account a, String address, String userAgent) {
    return new RequestContext(a.principal(), address, userAgent, null, "TREAT");
  }

  private String secret() {
    byte[] raw = new byte[32];
    random.nextBytes(raw);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(raw);
  }

  private static String key(String secret) {
    return Base64.getEncoder().encodeToString(ApiTokens.sha256(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  private static WardException.Unauthenticated failed() {
    return new WardException.Unauthenticated(FAILED);
  }
}
