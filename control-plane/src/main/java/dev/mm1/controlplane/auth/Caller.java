package dev.mm1.controlplane.auth;

import java.util.Set;

/**
 * Who is calling: the token's name (recorded in the audit trail), its scopes, and the run it is
 * restricted to (null for an unrestricted token).
 */
public record Caller(String name, Set<Scope> scopes, Long runId) {
  /** An anonymous reader, when anonymous reads are configured. */
  public static final Caller ANONYMOUS = new Caller("anonymous", Set.of(Scope.READ), null);

  public boolean has(Scope scope) {
    return scopes.contains(scope) || scopes.contains(Scope.ADMIN);
  }
}
