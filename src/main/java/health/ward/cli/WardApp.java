package health.ward.cli;

import health.ward.access.TokenPolicy;
import health.ward.audit.AuditTrail;
import health.ward.auth.ApiTokens;
import health.ward.auth.Authenticator;
import health.ward.breach.LedgerTransparency;
import health.ward.common.WardException;
import health.ward.keys.KeyEncryptionKey;
import health.ward.keys.PatientKeyring;
import health.ward.ledger.PostgresLedger;
import health.ward.records.RecordsService;
import health.ward.store.Database;
import health.ward.store.PostgresRecordStore;
import health.ward.store.PostgresWrappedKeyStore;
import health.ward.store.WrappedKeyStore;
import health.ward.vault.RecordVault;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Clock;
import javax.sql.DataSource;

/**
 * The composition root: opens the key-encryption key, the database, the vault, the ledger and the
 * records service in that order, and closes them in reverse. Used by every command and by the
 * tests; nothing else constructs these parts.
 */
public final class WardApp implements AutoCloseable {
  private final WardConfig config;
  private final Database database;
  private final KeyEncryptionKey kek;
  private final PostgresLedger ledger;
  private final RecordsService records;
  private final ApiTokens tokens;
  private final WrappedKeyStore wrappedKeys;

  private WardApp(
      WardConfig config, Database database, KeyEncryptionKey kek, WrappedKeyStore wrappedKeys,
      PostgresLedger ledger, RecordsService records, ApiTokens tokens) {
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

  static WardApp open(WardConfig config, Clock clock, SecureRandom random) {
    Path data = config.dataDir().toAbsolutePath().normalize();
    Path keys = config.keysDir().toAbsolutePath().normalize();
    if (keys.startsWith(data)) {
      throw new WardException.KeyUnavailable(
          "the key directory " + keys + " is inside the data directory " + data
              + "; keep keys apart from data (--keys)");
    }
    // The key first: a wrong passphrase is refused before anything else starts.
    KeyEncryptionKey kek = KeyEncryptionKey.load(keys, config.passphrase());
    Database db =
        config.dbUrl() == null
            ? Database.embedded(data.resolve("postgres"), config.dbPoolSize())
            : Database.external(config.dbUrl(), config.dbUser(), config.dbPassword(), config.dbPoolSize());
    PostgresLedger ledger = null;
    try {
      DataSource ds = db.dataSource();
      WrappedKeyStore wrapped = new PostgresWrappedKeyStore(ds);
      RecordVault vault = new RecordVault(new PatientKeyring(kek, wrapped, config.keyCacheSize()));
      ledger = new PostgresLedger(ds, clock);
      RecordsService records =
          new RecordsService(new PostgresRecordStore(ds), vault, new AuditTrail(ledger), new TokenPolicy(), clock, random);
      ApiTokens tokens = new ApiTokens(ds, clock, random);
      return new WardApp(config, db, kek, wrapped, ledger, records, tokens);
    } catch (RuntimeException e) {
      if (ledger != null) ledger.close();
      db.close();
      throw e;
    }
  }

  public RecordsService records() {
    return records;
  }

  /** The ledger's signed checkpoints and proofs, for {@code /ledger} and the CLI. */
  public LedgerTransparency transparency() {
    return new LedgerTransparency(ledger.reader());
  }

  /** The API tokens (authenticator of the FHIR server, and `ward token`). */
  public Authenticator authenticator() {
    return tokens;
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
    try {
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
