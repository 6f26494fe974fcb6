package dev.mm1.controlplane.auth;

import dev.mm1.api.rest.ApiToken;
import dev.mm1.controlplane.db.Rows;
import dev.mm1.controlplane.db.Transactions;
import static dev.mm1.controlplane.db.Rows.instant;
import jakarta.enterprise.context.ApplicationScoped;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** API tokens: only their sha256 is stored; the secret is shown once, at creation. */
@ApplicationScoped
public class TokenRepository {
  private static final SecureRandom RANDOM = new SecureRandom();
  private final Transactions db;

  TokenRepository(Transactions db) {
    this.db = db;
  }

  /** A new random secret: "mm1_" and 256 random bits, base64url. */
  public static String newSecret() {
    byte[] bytes = new byte[32];
    RANDOM.nextBytes(bytes);
    return "mm1_" + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  static byte[] hash(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Stores a token for {@code secret}; a secret stored before keeps its row (idempotent). */
  public ApiToken create(String name, Set<Scope> scopes, Long runId, Instant expiresAt, String secret)
      throws SQLException {
    return db.inTransaction(c -> {
      try (PreparedStatement insert = c.prepareStatement("""
          INSERT INTO api_token (name, token_sha256, scopes, run_id, expires_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (token_sha256) DO UPDATE SET name = api_token.name
          RETURNING id, name, scopes, run_id, created_at, expires_at, revoked_at""")) {
        insert.setString(1, name);
        insert.setBytes(2, hash(secret));
        insert.setArray(3, c.createArrayOf("text", scopes.stream().map(Scope::wireName).toArray()));
        insert.setObject(4, runId);
        insert.setTimestamp(5, expiresAt == null ? null : Timestamp.from(expiresAt));
        try (ResultSet rs = insert.executeQuery()) {
          rs.next();
          return token(rs, secret);
        }
      }
    });
  }

  /** The caller a secret authenticates, unless it is unknown, revoked or expired. */
  public Optional<Caller> authenticate(String secret) throws SQLException {
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement("""
          SELECT name, scopes, run_id FROM api_token
          WHERE token_sha256 = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())""")) {
        select.setBytes(1, hash(secret));
        try (ResultSet rs = select.executeQuery()) {
          if (!rs.next()) {
            return Optional.empty();
          }
          Set<Scope> scopes = EnumSet.noneOf(Scope.class);
          for (String scope : (String[]) rs.getArray(2).getArray()) {
            scopes.add(Scope.parse("scopes", scope));
          }
          return Optional.of(new Caller(rs.getString(1), scopes, (Long) rs.getObject(3)));
        }
      }
    });
  }

  public List<ApiToken> list() throws SQLException {
    return db.read(c -> {
      try (PreparedStatement select = c.prepareStatement("""
          SELECT id, name, scopes, run_id, created_at, expires_at, revoked_at FROM api_token ORDER BY id""");
          ResultSet rs = select.executeQuery()) {
        List<ApiToken> tokens = new ArrayList<>();
        while (rs.next()) {
          tokens.add(token(rs, null));
        }
        return tokens;
      }
    });
  }

  /** Revokes a token; false when there is no such token. */
  public boolean revoke(long id) throws SQLException {
    return db.inTransaction(c -> {
      try (PreparedStatement update = c.prepareStatement(
          "UPDATE api_token SET revoked_at = coalesce(revoked_at, now()) WHERE id = ?")) {
        update.setLong(1, id);
        return update.executeUpdate() == 1;
      }
    });
  }

  private static ApiToken token(ResultSet rs, String secret) throws SQLException {
    Array scopes = rs.getArray("scopes");
    return new ApiToken(
        String.valueOf(rs.getLong("id")),
        rs.getString("name"),
        Arrays.asList((String[]) scopes.getArray()),
        Rows.idOrNull(rs, "run_id"),
        instant(rs, "created_at"),
        instant(rs, "expires_at"),
        instant(rs, "revoked_at"),
        secret);
  }
}
