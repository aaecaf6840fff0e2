package health.ward.cli;

import health.ward.access.CarePolicy;
import health.ward.access.Principal;
import health.ward.audit.AccessEvent;
import health.ward.audit.AuditLog;
import health.ward.audit.AuditTrail;
import health.ward.audit.LedgerOutbox;
import health.ward.auth.Admin;
import health.ward.auth.ApiTokens;
import health.ward.auth.AuthEvents;
import health.ward.auth.Authenticator;
import health.ward.auth.Clients;
import health.ward.auth.Identity;
import health.ward.auth.SignIn;
import health.ward.auth.StaffDirectory;
import health.ward.auth.StaffUser;
import health.ward.auth.WatchEnforcement;
import health.ward.breach.LedgerTransparency;
import health.ward.common.WardException;
import health.ward.crypto.NoteVerifierKey;
import health.ward.keys.CheckpointKey;
import health.ward.keys.KeyEncryptionKey;
import health.ward.keys.PatientKeyring;
import health.ward.ledger.Checkpoint;
import health.ward.ledger.CheckpointRejectedException;
import health.ward.ledger.CheckpointSigner;
import health.ward.ledger.CheckpointSink;
import health.ward.ledger.Checkpointer;
import health.ward.ledger.Ledger;
import health.ward.ledger.LedgerReader;
import health.ward.ledger.LedgerVerifier;
import health.ward.ledger.PostgresLedger;
import health.ward.ledger.TreeHead;
import health.ward.ledger.V7__Convert_hash_chain;
import health.ward.ledger.Verification;
import health.ward.ledger.WitnessCheck;
import health.ward.records.RecordsService;
import health.ward.store.Database;
import health.ward.store.PostgresCareStore;
import health.ward.store.PostgresPersonMarkers;
import health.ward.store.PostgresRecordStore;
import health.ward.store.PostgresWrappedKeyStore;
import health.ward.store.WrappedKeyStore;
import health.ward.vault.RecordVault;
import health.ward.watch.AccessWatch;
import health.ward.watch.AlertDelivery;
import health.ward.watch.AlertSink;
import health.ward.watch.AlertStore;
import health.ward.watch.Verdict;
import health.ward.watch.Watch;
import health.ward.watch.WatchFlags;
import health.ward.watch.WatchProfiles;
import health.ward.watch.WatchSettings;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;
import org.flywaydb.core.api.migration.JavaMigration;

/**
 * The composition root: opens the key-encryption key, the database, the vault, the ledger and the
 * records service in that order, and closes them in reverse. Used by every command and by the
 * tests; nothing else constructs these parts.
 */
public final class WardApp implements AutoCloseable {
  /** Schema migrations written in Java (the SQL ones are under db/migration). */
  static final List<JavaMigration> MIGRATIONS = List.of(new V7__Convert_hash_chain());

  private final WardConfig config;
  private final Database database;
  private final KeyEncryptionKey kek;
  private final PostgresLedger ledger;
  private final RecordsService records;
  private final ApiTokens tokens;
  private final LedgerOutbox outbox;
  private final SecureRandom random;
  private final WrappedKeyStore wrappedKeys;
  private final CheckpointSigner signer;
  private final Clock clock;
  private final long sizeAtOpen;
  private final WatchSwitch watch;
  // The parts below the records service, for the breach-scope report (an operator tool of its own).
  private final Parts parts;

  /** What the breach tools read: the store, the vault, the audit trail and log, the ledger. */
  record Parts(PostgresRecordStore store, RecordVault vault, AuditTrail trail, AuditLog auditLog, PostgresLedger ledger) {}
  private Checkpointer checkpointer;

  private WardApp(
      WardConfig config, Database database, KeyEncryptionKey kek, WrappedKeyStore wrappedKeys,
      PostgresLedger ledger, RecordsService records, ApiTokens tokens, CheckpointSigner signer, Clock clock,
      Parts parts, LedgerOutbox outbox, SecureRandom random, WatchSwitch watch) {
    this.watch = watch;
    this.parts = parts;
    this.outbox = outbox;
    this.random = random;
    this.signer = signer;
    this.clock = clock;
    this.sizeAtOpen = ledger.size();
    this.config = config;
    this.database = database;
    this.kek = kek;
    this.wrappedKeys = wrappedKeys;
    this.ledger = ledger;
    this.records = records;
    this.tokens = tokens;
  }

  /** Opens everything below HTTP. Throws a WardException with a clear message on any failure. */
  public static WardApp open(WardConfig config) {
    return open(config, Clock.systemUTC(), new SecureRandom());
  }

  /** As {@link #open(WardConfig)} on a given clock and source of randomness (the simulator's clock, say). */
  public static WardApp open(WardConfig config, Clock clock, SecureRandom random) {
    return open(config, clock, random, UnaryOperator.identity());
  }

  /**
   * As {@link #open(WardConfig)}, with {@code auditLedger} choosing what the records service appends
   * its access events to, given the durable ledger. Only the ledger-overhead benchmark passes
   * anything but the identity (to measure what the durable ledger costs a read).
   */
  static WardApp open(WardConfig config, Clock clock, SecureRandom random, UnaryOperator<Ledger> auditLedger) {
    Path data = config.dataDir().toAbsolutePath().normalize();
    Path keys = config.keysDir().toAbsolutePath().normalize();
    if (keys.startsWith(data)) {
      throw new WardException.KeyUnavailable(
          "the key directory " + keys + " is inside the data directory " + data
              + "; keep keys apart from data (--keys)");
    }
    // The key first: a wrong passphrase is refused before anything else starts.
    KeyEncryptionKey kek = KeyEncryptionKey.load(keys, config.passphrase());
    CheckpointSigner signer = CheckpointSigner.of(CheckpointKey.loadOrCreate(keys, kek, logName(keys, random), random));
    Database db =
        config.dbUrl() == null
            ? Database.embedded(data.resolve("postgres"), config.dbPoolSize(), MIGRATIONS)
            : Database.external(config.dbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize(), MIGRATIONS);
    PostgresLedger ledger = null;
    try {
      DataSource ds = db.dataSource();
      WrappedKeyStore wrapped = new PostgresWrappedKeyStore(ds);
      RecordVault vault = new RecordVault(new PatientKeyring(kek, wrapped, config.keyCacheSize()));
      ledger = new PostgresLedger(ds, clock);
      PostgresRecordStore store = new PostgresRecordStore(ds);
      AuditTrail trail = new AuditTrail(auditLedger.apply(ledger), vault);
      AuditLog auditLog = new AuditLog(ledger.reader());
      WatchSwitch watch = new WatchSwitch();
      RecordsService records = new RecordsService(store, vault, trail, auditLog, new CarePolicy(),
          new PostgresCareStore(db.dataSource()), config.care(), clock, random, watch);
      LedgerOutbox outbox = new LedgerOutbox(ds, trail, clock);
      ApiTokens tokens = new ApiTokens(ds, clock, random, new AuthEvents(trail, outbox, true, clock));
      return new WardApp(config, db, kek, wrapped, ledger, records, tokens, signer, clock,
          new Parts(store, vault, trail, auditLog, ledger), outbox, random, watch);
    } catch (RuntimeException e) {
      if (ledger != null) ledger.close();
      db.close();
      throw e;
    }
  }

  /**
   * The ledger's name (the checkpoint origin and signing key name): the existing key's, or for a new
   * key directory {@code ward/<8 random hex digits>}, so that witnesses can tell Wards apart.
   */
  private static String logName(Path keys, SecureRandom random) {
    if (java.nio.file.Files.exists(keys.resolve("checkpoint-key.json"))) {
      return NoteVerifierKey.parse(CheckpointKey.verifierKey(keys)).name();
    }
    byte[] id = new byte[4];
    random.nextBytes(id);
    return "ward/" + java.util.HexFormat.of().formatHex(id);
  }

  public RecordsService records() {
    return records;
  }

  /** The verifier key of the ledger's checkpoints ({@code <name>+<key id>+<base64 key>}). */
  public String verifierKey() {
    return signer.verifierKey();
  }

  /** Signs the tree head as a C2SP checkpoint of this ledger. */
  String sign(TreeHead head) {
    return signer.sign(new Checkpoint(signer.keyName(), head.size(), head.root()));
  }

  /**
   * The tree head a signed checkpoint of this ledger states. Throws IllegalArgumentException, with
   * the reason, if the note is not signed by this ledger's key or names another log.
   */
  TreeHead openCheckpoint(String note) {
    Checkpoint c;
    try {
      c = signer.verifier().verify(note);
    } catch (CheckpointRejectedException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    if (!c.origin().equals(signer.keyName())) {
      throw new IllegalArgumentException("the checkpoint is of log '" + c.origin() + "', not of '" + signer.keyName() + "'");
    }
    return new TreeHead(c.size(), c.rootHash());
  }

  /**
   * Starts issuing signed checkpoints every {@code interval} and pushing them to {@code sinks}; the
   * first is issued (and pushed) before this returns. {@link #close()} issues a last one.
   */
  synchronized void startCheckpoints(List<CheckpointSink> sinks, Duration interval, Consumer<String> warnings) {
    if (checkpointer != null) throw new IllegalStateException("checkpoints already started");
    checkpointer = new Checkpointer(ledger, this::sign, sinks, clock, warnings);
    checkpointer.checkpoint();
    checkpointer.start(interval);
  }

  /**
   * Checks the ledger against its own newest stored checkpoint: the signature, and that the stored
   * tree still has that root at that size (catches crude edits without a witness; a witness also
   * catches a roll-back of the whole database).
   */
  WitnessCheck.Result checkStoredCheckpoint() {
    LedgerReader reader = ledger.reader();
    CheckpointSink stored =
        new CheckpointSink() {
          @Override
          public String describe() {
            return "this database";
          }

          @Override
          public void publish(long size, String note) {
            throw new UnsupportedOperationException("stored checkpoints are written by the checkpointer");
          }

          @Override
          public java.util.Optional<String> newest() {
            return reader.latestCheckpoint().map(LedgerReader.StoredCheckpoint::note);
          }
        };
    return WitnessCheck.check(stored, this::openCheckpoint, reader);
  }

  /** The parts the breach tools read. */
  Parts parts() {
    return parts;
  }

  /**
   * Signs a checkpoint of everything durable now (unless one of that size exists) and returns the
   * newest stored checkpoint: what a report anchors its proofs to.
   */
  LedgerReader.StoredCheckpoint checkpointNow() {
    return new Checkpointer(ledger, this::sign, List.of(), clock, w -> System.err.println("ward: " + w))
        .checkpoint()
        .orElseThrow(() -> new WardException.LedgerUnavailable("no checkpoint could be issued", null));
  }

  /** Every stored signed checkpoint, oldest first. */
  List<LedgerReader.StoredCheckpoint> storedCheckpoints() {
    return ledger.reader().checkpointsAfter(-1);
  }

  /** Checks the ledger against the newest checkpoint {@code sink} holds. */
  WitnessCheck.Result checkWitness(CheckpointSink sink) {
    return WitnessCheck.check(sink, this::openCheckpoint, ledger.reader());
  }

  /** Recomputes the whole ledger and checks it against every stored and {@code trusted} checkpoint. */
  Verification verifyLedger(List<LedgerVerifier.Expected> trusted, LedgerVerifier.Progress progress) {
    return new LedgerVerifier(dataSource()).verify(this::openCheckpoint, trusted, progress);
  }

  /** The ledger's signed checkpoints and proofs, for {@code /ledger} and the CLI. */
  public LedgerTransparency transparency() {
    return new LedgerTransparency(ledger.reader());
  }

  /** The API tokens (authenticator of the FHIR server, and `ward token`). */
  public Authenticator authenticator() {
    return tokens;
  }

  /**
   * The identity services of the serving process (which owns the ledger): sign-in, enrolment,
   * clients and administration, recording straight into the ledger.
   */
  public Identity identity(SignIn.Settings settings) {
    AuthEvents events = new AuthEvents(parts.trail(), outbox, true, clock);
    StaffDirectory directory = new StaffDirectory(database.dataSource(), events, tokens, parts.vault(), clock, random);
    Clients clients = new Clients(database.dataSource(), tokens, events, clock, random);
    return new Identity(new SignIn(directory, tokens, settings, clock, random), clients,
        new Admin(directory, tokens, clients, events), tokens, directory);
  }

  /**
   * Starts the watch in the serving process: from now on every access is scored, and alerts go to
   * {@code sinks} besides the admin API. Returns it (for tests and the simulator).
   */
  public synchronized Watch startWatch(WatchSettings settings, List<AlertSink> sinks) {
    if (watch.running() != null) throw new IllegalStateException("the watch is already running");
    AuthEvents events = new AuthEvents(parts.trail(), outbox, true, clock);
    StaffDirectory directory = new StaffDirectory(database.dataSource(), events, tokens, parts.vault(), clock, random);
    Clients clients = new Clients(database.dataSource(), tokens, events, clock, random);
    DataSource ds = database.dataSource();
    Watch w = new Watch(settings, parts.trail(), new AlertStore(ds), new WatchProfiles(ds), new WatchFlags(ds, parts.vault(), clock),
        new PostgresPersonMarkers(ds), new PostgresCareStore(ds), parts.vault(),
        () -> directory.list().stream().filter(u -> "active".equals(u.status())).map(StaffUser::practitioner).toList(),
        new WatchEnforcement(tokens, directory, clients), new AlertDelivery(sinks, clock), clock);
    watch.target = w;
    return w;
  }

  /** The running watch, or null. */
  public Watch watch() {
    return watch.running();
  }

  /** The watch as the records service sees it: nothing until the serving process starts one. */
  static final class WatchSwitch implements AccessWatch {
    volatile AccessWatch target = AccessWatch.NONE;

    @Override
    public Verdict inspect(Principal who, AccessEvent event) {
      return target.inspect(who, event);
    }

    @Override
    public Watch running() {
      return target.running();
    }
  }

  /**
   * Identity events of a command run beside the server: staged in the ledger outbox within each
   * change's transaction, for the serving process to append ({@link #drainOutbox}).
   */
  AuthEvents stagedEvents() {
    return new AuthEvents(parts.trail(), outbox, false, clock);
  }

  /** The staff directory for a command run beside the server (events staged). */
  StaffDirectory staffForCommand(ApiTokens commandTokens) {
    return new StaffDirectory(database.dataSource(), stagedEvents(), commandTokens, parts.vault(), clock, random);
  }

  /** Clients for a command run beside the server (events staged). */
  Clients clientsForCommand(ApiTokens commandTokens) {
    return new Clients(database.dataSource(), commandTokens, stagedEvents(), clock, random);
  }

  /** Appends the entries commands staged to the ledger; returns how many. The serving process calls it. */
  public int drainOutbox() {
    return outbox.drain(ledger);
  }

  private java.util.concurrent.ScheduledExecutorService drainer;

  /**
   * Drains the ledger outbox now and then every {@code every}, until close: how identity changes
   * made with the {@code ward} command while serving reach the ledger. A failing drain is reported
   * once per failure streak and retried.
   */
  public synchronized void startOutboxDrain(Duration every, java.util.function.Consumer<String> warn) {
    drainOutbox();
    java.util.concurrent.atomic.AtomicBoolean failing = new java.util.concurrent.atomic.AtomicBoolean();
    drainer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> Thread.ofPlatform().daemon().name("ward-outbox").unstarted(r));
    drainer.scheduleWithFixedDelay(() -> {
      try {
        drainOutbox();
        failing.set(false);
      } catch (RuntimeException e) {
        if (failing.compareAndSet(false, true)) warn.accept("the ledger outbox could not be drained; retrying (" + e.getMessage() + ")");
      }
    }, every.toMillis(), every.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
  }

  public ApiTokens tokens() {
    return tokens;
  }

  /** The store of wrapped keys, for key rotation. */
  public WrappedKeyStore wrappedKeys() {
    return wrappedKeys;
  }

  /** True when the key-encryption key is protected by WARD_MASTER_PASSPHRASE. */
  public boolean keyPassphraseProtected() {
    return kek.passphraseProtected();
  }

  public DataSource dataSource() {
    return database.dataSource();
  }

  /** Connections as the schema owner (see {@link Database#ownerDataSource()}); never for requests. */
  public DataSource ownerDataSource() {
    return database.ownerDataSource();
  }

  public WardConfig config() {
    return config;
  }

  @Override
  public void close() {
    Watch running = watch.running();
    if (running != null) {
      watch.target = AccessWatch.NONE;
      running.close();
    }
    java.util.concurrent.ScheduledExecutorService d;
    synchronized (this) {
      d = drainer;
      drainer = null;
    }
    if (d != null) {
      d.shutdown();
      try {
        d.awaitTermination(5, java.util.concurrent.TimeUnit.SECONDS);
        drainOutbox();
      } catch (InterruptedException | RuntimeException e) {
        // Staged entries stay in the outbox for the next start.
      }
    }
    try {
      Checkpointer c;
      synchronized (this) {
        c = checkpointer;
        checkpointer = null;
      }
      if (c != null) {
        c.close();
      } else if (ledger.size() > sizeAtOpen) {
        // A command that wrote to the ledger (import, say) leaves a signed checkpoint of it.
        new Checkpointer(ledger, this::sign, List.of(), clock, w -> System.err.println("ward: " + w)).close();
      }
      tokens.close();
    } finally {
      try {
        ledger.close();
      } finally {
        database.close();
      }
    }
  }
}
