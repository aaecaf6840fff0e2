package health.ward.auth;

import com.yubico.webauthn.AssertionRequest;
import com.yubico.webauthn.AssertionResult;
import com.yubico.webauthn.CredentialRepository;
import com.yubico.webauthn.FinishAssertionOptions;
import com.yubico.webauthn.FinishRegistrationOptions;
import com.yubico.webauthn.RegisteredCredential;
import com.yubico.webauthn.RegistrationResult;
import com.yubico.webauthn.RelyingParty;
import com.yubico.webauthn.StartAssertionOptions;
import com.yubico.webauthn.StartRegistrationOptions;
import com.yubico.webauthn.data.AuthenticatorSelectionCriteria;
import com.yubico.webauthn.data.ByteArray;
import com.yubico.webauthn.data.PublicKeyCredential;
import com.yubico.webauthn.data.PublicKeyCredentialCreationOptions;
import com.yubico.webauthn.data.PublicKeyCredentialDescriptor;
import com.yubico.webauthn.data.RelyingPartyIdentity;
import com.yubico.webauthn.data.ResidentKeyRequirement;
import com.yubico.webauthn.data.UserIdentity;
import com.yubico.webauthn.data.UserVerificationRequirement;
import com.yubico.webauthn.exception.AssertionFailedException;
import com.yubico.webauthn.exception.RegistrationFailedException;
import health.ward.common.WardException;
import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import javax.sql.DataSource;

/**
 * WebAuthn (passkeys and security keys) through Yubico's {@code webauthn-server-core}: the
 * registration and authentication ceremonies, with credentials (public keys and signature
 * counters only) in table {@code webauthn_credential}. Phishing-resistant because the browser binds
 * every signature to the relying party id and origin, which the library checks against
 * {@code rpId} and {@code origins} (an origin given without a port matches any port of its host).
 * User verification (PIN or biometric) is required.
 */
final class Passkeys {
  private final DataSource dataSource;
  private final StaffDirectory directory;
  private final Clock clock;
  private final RelyingParty rp;

  Passkeys(DataSource dataSource, StaffDirectory directory, Clock clock, String rpId, Set<String> origins) {
    this.dataSource = Objects.requireNonNull(dataSource, "dataSource");
    this.directory = Objects.requireNonNull(directory, "directory");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.rp = RelyingParty.builder()
        .identity(RelyingPartyIdentity.builder().id(rpId).name("Ward").build())
        .credentialRepository(new Repository())
        .origins(origins)
        .allowOriginPort(origins.stream().anyMatch(o -> !o.matches(".*:[0-9]+")))
        .allowOriginSubdomain(false)
        .build();
  }

  /** Options for {@code navigator.credentials.create}, to be kept until {@link #finishRegistration}. */
  PublicKeyCredentialCreationOptions startRegistration(StaffDirectory.Account a) {
    return rp.startRegistration(StartRegistrationOptions.builder()
        .user(UserIdentity.builder().name(a.username()).displayName(a.displayName()).id(new ByteArray(a.userHandle())).build())
        .authenticatorSelection(AuthenticatorSelectionCriteria.builder()
            .residentKey(ResidentKeyRequirement.PREFERRED)
            .userVerification(UserVerificationRequirement.REQUIRED)
            .build())
        .timeout(120_000L)
        .build());
  }

  /** Verifies the browser's answer and stores the credential; InvalidRequest if it does not verify. */
  void finishRegistration(StaffDirectory.Account a, PublicKeyCredentialCreationOptions request, String responseJson) {
    RegistrationResult result;
    try {
      result = rp.finishRegistration(FinishRegistrationOptions.builder()
          .request(request)
          .response(PublicKeyCredential.parseRegistrationResponseJson(responseJson))
          .build());
    } catch (RegistrationFailedException | IOException | RuntimeException e) {
      throw new WardException.InvalidRequest("the security key's registration did not verify");
    }
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "insert into webauthn_credential (credential_id, user_id, public_key, sign_count, created_at) values (?, ?, ?, ?, ?)")) {
      ps.setBytes(1, result.getKeyId().getId().getBytes());
      ps.setLong(2, a.id());
      ps.setBytes(3, result.getPublicKeyCose().getBytes());
      ps.setLong(4, result.getSignatureCount());
      ps.setObject(5, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
      ps.executeUpdate();
    } catch (SQLException e) {
      if ("23505".equals(e.getSQLState())) throw new WardException.InvalidRequest("this security key is already registered");
      throw unavailable(e);
    }
  }

  /** Options for {@code navigator.credentials.get} for one user's credentials. */
  AssertionRequest startAssertion(StaffDirectory.Account a) {
    return rp.startAssertion(StartAssertionOptions.builder()
        .username(a.username())
        .userVerification(UserVerificationRequirement.REQUIRED)
        .timeout(120_000L)
        .build());
  }

  /**
   * True if the browser's answer is a valid, user-verified signature by one of the account's
   * credentials over this request's challenge; updates the signature counter.
   */
  boolean finishAssertion(StaffDirectory.Account a, AssertionRequest request, String responseJson) {
    AssertionResult result;
    try {
      result = rp.finishAssertion(FinishAssertionOptions.builder()
          .request(request)
          .response(PublicKeyCredential.parseAssertionResponseJson(responseJson))
          .build());
    } catch (AssertionFailedException | IOException | RuntimeException e) {
      return false;
    }
    if (!result.isSuccess() || !result.isUserVerified() || !a.username().equals(result.getUsername())) return false;
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(
            "update webauthn_credential set sign_count = ?, last_used_at = ? where credential_id = ? and user_id = ?")) {
      ps.setLong(1, result.getSignatureCount());
      ps.setObject(2, OffsetDateTime.ofInstant(clock.instant(), ZoneOffset.UTC));
      ps.setBytes(3, result.getCredentialId().getBytes());
      ps.setLong(4, a.id());
      ps.executeUpdate();
    } catch (SQLException e) {
      throw unavailable(e);
    }
    return true;
  }

  /** How many credentials an account has. */
  int count(long userId) {
    return credentials(userId).size();
  }

  private List<RegisteredCredential> credentials(long userId) {
    return query("select credential_id, public_key, sign_count, u.user_handle from webauthn_credential w"
        + " join staff_user u on u.id = w.user_id where w.user_id = ?", ps -> ps.setLong(1, userId));
  }

  private interface Binder {
    void bind(PreparedStatement ps) throws SQLException;
  }

  private List<RegisteredCredential> query(String sql, Binder binder) {
    try (Connection c = dataSource.getConnection();
        PreparedStatement ps = c.prepareStatement(sql)) {
      binder.bind(ps);
      List<RegisteredCredential> out = new java.util.ArrayList<>();
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          out.add(RegisteredCredential.builder()
              .credentialId(new ByteArray(rs.getBytes(1)))
              .userHandle(new ByteArray(rs.getBytes(4)))
              .publicKeyCose(new ByteArray(rs.getBytes(2)))
              .signatureCount(rs.getLong(3))
              .build());
        }
      }
      return out;
    } catch (SQLException e) {
      throw unavailable(e);
    }
  }

  /** The library's view of the credential table. */
  private final class Repository implements CredentialRepository {
    @Override
    public Set<PublicKeyCredentialDescriptor> getCredentialIdsForUsername(String username) {
      Set<PublicKeyCredentialDescriptor> out = new HashSet<>();
      directory.account(username).ifPresent(a -> {
        for (RegisteredCredential c : credentials(a.id())) out.add(PublicKeyCredentialDescriptor.builder().id(c.getCredentialId()).build());
      });
      return out;
    }

    @Override
    public Optional<ByteArray> getUserHandleForUsername(String username) {
      return directory.account(username).map(a -> new ByteArray(a.userHandle()));
    }

    @Override
    public Optional<String> getUsernameForUserHandle(ByteArray handle) {
      return directory.accountByHandle(handle.getBytes()).map(StaffDirectory.Account::username);
    }

    @Override
    public Optional<RegisteredCredential> lookup(ByteArray credentialId, ByteArray handle) {
      return query("select credential_id, public_key, sign_count, u.user_handle from webauthn_credential w"
          + " join staff_user u on u.id = w.user_id where w.credential_id = ? and u.user_handle = ?", ps -> {
            ps.setBytes(1, credentialId.getBytes());
            ps.setBytes(2, handle.getBytes());
          }).stream().findFirst();
    }

    @Override
    public Set<RegisteredCredential> lookupAll(ByteArray credentialId) {
      return new HashSet<>(query("select credential_id, public_key, sign_count, u.user_handle from webauthn_credential w"
          + " join staff_user u on u.id = w.user_id where w.credential_id = ?", ps -> ps.setBytes(1, credentialId.getBytes())));
    }
  }

  private static WardException.StoreUnavailable unavailable(SQLException e) {
    return new WardException.StoreUnavailable("credential store unavailable (SQLSTATE " + e.getSQLState() + ")", null);
  }
}
