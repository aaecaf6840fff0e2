package health.ward.server;

import java.io.IOException;
import java.io.Reader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.Certificate;
import java.security.cert.CertificateExpiredException;
import java.security.cert.CertificateNotYetValidException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * The server's TLS identity: a certificate chain and its private key, as an in-memory key store
 * for Jetty. Either loaded from PEM files, or a self-signed EC P-256 certificate generated once
 * into a directory ({@value #CERT_FILE}, {@value #KEY_FILE} with mode 0600) and reused on every
 * later start until it is within a day of expiry.
 */
final class TlsIdentity {
  static final String CERT_FILE = "ward-cert.pem";
  static final String KEY_FILE = "ward-key.pem";
  static final String ALIAS = "ward";
  static final Duration SELF_SIGNED_VALIDITY = Duration.ofDays(825);

  private final List<X509Certificate> chain;
  private final PrivateKey key;

  private TlsIdentity(List<X509Certificate> chain, PrivateKey key) {
    this.chain = List.copyOf(chain);
    this.key = Objects.requireNonNull(key, "key");
    if (this.chain.isEmpty()) throw new IllegalArgumentException("certificate chain is empty");
  }

  X509Certificate certificate() {
    return chain.get(0);
  }

  List<X509Certificate> chain() {
    return chain;
  }

  /** A PKCS#12 key store held in memory only, protected by {@code password}. */
  KeyStore keyStore(char[] password) {
    try {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry(ALIAS, key, password, chain.toArray(new Certificate[0]));
      return ks;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("cannot build the TLS key store", e);
    }
  }

  /** Loads a certificate chain (leaf first) and an unencrypted private key from PEM files. */
  static TlsIdentity fromPem(Path certPath, Path keyPath) {
    List<X509Certificate> chain = new ArrayList<>();
    PrivateKey key;
    try (Reader r = Files.newBufferedReader(certPath, StandardCharsets.US_ASCII);
        PEMParser p = new PEMParser(r)) {
      JcaX509CertificateConverter conv = new JcaX509CertificateConverter();
      for (Object o = p.readObject(); o != null; o = p.readObject()) {
        if (o instanceof X509CertificateHolder h) chain.add(conv.getCertificate(h));
      }
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot read certificate file " + certPath + ": " + e.getClass().getSimpleName());
    }
    if (chain.isEmpty()) throw new IllegalArgumentException("no certificate in " + certPath);
    try (Reader r = Files.newBufferedReader(keyPath, StandardCharsets.US_ASCII);
        PEMParser p = new PEMParser(r)) {
      Object o = p.readObject();
      JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
      if (o instanceof PrivateKeyInfo info) key = conv.getPrivateKey(info);
      else if (o instanceof PEMKeyPair pair) key = conv.getPrivateKey(withCurveInAlgorithm(pair.getPrivateKeyInfo()));
      else throw new IllegalArgumentException("no unencrypted private key in " + keyPath);
    } catch (IOException e) {
      // Never echo key file content: only the file name and the failure kind.
      throw new IllegalArgumentException("cannot read private key file " + keyPath + ": " + e.getClass().getSimpleName());
    }
    return new TlsIdentity(chain, key);
  }

  /**
   * An OpenSSL "EC PRIVATE KEY" names its curve inside the key structure; the JDK's key factory
   * wants it in the algorithm identifier, as PKCS#8 has it.
   */
  private static PrivateKeyInfo withCurveInAlgorithm(PrivateKeyInfo info) throws IOException {
    AlgorithmIdentifier alg = info.getPrivateKeyAlgorithm();
    if (!X9ObjectIdentifiers.id_ecPublicKey.equals(alg.getAlgorithm())
        || (alg.getParameters() != null && !(alg.getParameters() instanceof DERNull))) {
      return info;
    }
    org.bouncycastle.asn1.sec.ECPrivateKey ec = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
    if (ec.getParametersObject() == null) return info;
    return new PrivateKeyInfo(new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, ec.getParametersObject()), ec);
  }

  /**
   * Returns the self-signed identity stored in {@code dir}, generating it first if it is missing or
   * expires within a day.
   *
   * @param names DNS names and IP literals for the subject alternative name
   */
  static TlsIdentity selfSigned(Path dir, List<String> names, Clock clock, SecureRandom random) {
    Path cert = dir.resolve(CERT_FILE);
    Path key = dir.resolve(KEY_FILE);
    Instant now = clock.instant();
    if (Files.isRegularFile(cert) && Files.isRegularFile(key)) {
      TlsIdentity existing = fromPem(cert, key);
      try {
        existing.certificate().checkValidity(Date.from(now.plus(Duration.ofDays(1))));
        return existing;
      } catch (CertificateExpiredException | CertificateNotYetValidException expiring) {
        // fall through and replace it
      }
    }
    TlsIdentity fresh = generate(names, now, random);
    try {
      createPrivateDirectory(dir);
      writeAtomically(key, pem(new JcaPKCS8Generator(fresh.key, null)));
      writeAtomically(cert, pem(fresh.certificate()));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot store the self-signed certificate in " + dir, e);
    }
    return fresh;
  }

  static TlsIdentity generate(List<String> names, Instant now, SecureRandom random) {
    try {
      KeyPairGenerator kpg = KeyPairGenerator.getInstance("EC");
      kpg.initialize(new ECGenParameterSpec("secp256r1"), random);
      KeyPair kp = kpg.generateKeyPair();
      X500Name subject = new X500Name("CN=Ward FHIR server (self-signed)");
      BigInteger serial = new BigInteger(127, random).add(BigInteger.ONE);
      JcaX509v3CertificateBuilder b =
          new JcaX509v3CertificateBuilder(
              subject,
              serial,
              Date.from(now.minus(Duration.ofHours(1))),
              Date.from(now.plus(SELF_SIGNED_VALIDITY)),
              subject,
              kp.getPublic());
      GeneralName[] san =
          names.stream()
              .distinct()
              .map(n -> new GeneralName(isIpLiteral(n) ? GeneralName.iPAddress : GeneralName.dNSName, n))
              .toArray(GeneralName[]::new);
      b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(san));
      b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
      b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
      b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
      X509CertificateHolder holder =
          b.build(new JcaContentSignerBuilder("SHA256withECDSA").setSecureRandom(random).build(kp.getPrivate()));
      return new TlsIdentity(List.of(new JcaX509CertificateConverter().getCertificate(holder)), kp.getPrivate());
    } catch (GeneralSecurityException | OperatorCreationException | IOException e) {
      throw new IllegalStateException("cannot generate a self-signed certificate", e);
    }
  }

  static boolean isIpLiteral(String n) {
    return n.contains(":") || n.chars().allMatch(c -> c == '.' || (c >= '0' && c <= '9'));
  }

  private static String pem(Object o) throws IOException {
    StringWriter out = new StringWriter();
    try (JcaPEMWriter w = new JcaPEMWriter(out)) {
      w.writeObject(o instanceof JcaPKCS8Generator g ? g.generate() : o);
    }
    return out.toString();
  }

  private static boolean posix() {
    return FileSystems.getDefault().supportedFileAttributeViews().contains("posix");
  }

  private static void createPrivateDirectory(Path dir) throws IOException {
    if (Files.isDirectory(dir)) return;
    if (posix()) Files.createDirectories(dir, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------")));
    else Files.createDirectories(dir);
  }

  /** Writes owner-only (0600) from the first byte, then renames into place. */
  private static void writeAtomically(Path target, String content) throws IOException {
    Path tmp =
        posix()
            ? Files.createTempFile(target.getParent(), ".tmp-", ".pem",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")))
            : Files.createTempFile(target.getParent(), ".tmp-", ".pem");
    try {
      Files.writeString(tmp, content, StandardCharsets.US_ASCII);
      try {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
      }
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
