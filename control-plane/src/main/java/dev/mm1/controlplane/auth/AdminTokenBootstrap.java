package dev.mm1.controlplane.auth;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import java.sql.SQLException;
import java.util.EnumSet;
import java.util.Optional;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.logging.Logger;

/**
 * Stores {@code MM1_ADMIN_TOKEN} (hashed) as an admin token at start, so that a fresh installation
 * can create its other tokens through {@code POST /api/v1/tokens}.
 */
public class AdminTokenBootstrap {
  private static final Logger LOG = Logger.getLogger(AdminTokenBootstrap.class);

  void onStart(@Observes StartupEvent event, TokenRepository tokens,
      @ConfigProperty(name = "mm1.auth.admin-token") Optional<String> adminToken) throws SQLException {
    if (adminToken.isPresent() && !adminToken.get().isBlank()) {
      if (adminToken.get().length() < 16) {
        throw new IllegalArgumentException("MM1_ADMIN_TOKEN is too short: use at least 16 random characters");
      }
      tokens.create("bootstrap-admin", EnumSet.of(Scope.ADMIN), null, null, adminToken.get());
      LOG.info("admin token from MM1_ADMIN_TOKEN is active");
    }
  }
}
