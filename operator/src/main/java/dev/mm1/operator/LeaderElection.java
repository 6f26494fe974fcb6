package dev.mm1.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.inject.Singleton;

/**
 * One active operator at a time: replicas compete for this Lease in their own namespace and the
 * others wait as hot standbys. Active in the prod profile only
 * ({@code quarkus.operator-sdk.activate-leader-election-for-profiles}).
 */
@Singleton
public class LeaderElection extends LeaderElectionConfiguration {
  public LeaderElection() {
    super("mm1-operator-leader");
  }
}
