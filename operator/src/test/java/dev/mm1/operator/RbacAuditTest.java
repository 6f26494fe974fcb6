package dev.mm1.operator;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The audit's reading of RBAC: what the shipped rules grant and refuse, named the way the API server's authorizer does. */
class RbacAuditTest {
  @Test
  void grantsWhatTheManifestGrantsAndNamesWhatItRefuses() throws Exception {
    var rules = RbacAudit.Rules.of(RbacAudit.RBAC);
    assertThat(RbacAudit.denied("DELETE", "/apis/batch/v1/namespaces/team-a/jobs/t-a1", rules)).isEmpty();
    assertThat(RbacAudit.denied("GET", "/api/v1/pods?watch=true&resourceVersion=5", rules)).isEmpty();
    assertThat(RbacAudit.denied("PUT", "/apis/mm1.dev/v1alpha1/namespaces/a/mm1trainings/t/status", rules)).isEmpty();
    assertThat(RbacAudit.denied("GET", "/api/v1/namespaces/a/secrets/mm1-control-plane-token", rules)).isEmpty();
    assertThat(RbacAudit.denied("PUT", "/apis/coordination.k8s.io/v1/namespaces/mm1-system/leases/mm1-operator-leader", rules)).isEmpty();
    assertThat(RbacAudit.denied("GET", "/version", rules)).isEmpty();

    // Only the one Secret, only leases in the operator's namespace, no pod deletion, no deletecollection.
    assertThat(RbacAudit.denied("GET", "/api/v1/namespaces/a/secrets/other", rules)).hasValue(
        "GET /api/v1/namespaces/a/secrets/other: verb get on core secrets named other in namespace a");
    assertThat(RbacAudit.denied("GET", "/api/v1/namespaces/a/secrets", rules)).isPresent();
    assertThat(RbacAudit.denied("PUT", "/apis/coordination.k8s.io/v1/namespaces/a/leases/mm1-operator-leader", rules)).isPresent();
    assertThat(RbacAudit.denied("DELETE", "/api/v1/namespaces/a/pods/p", rules)).hasValueSatisfying(d -> assertThat(d).contains("verb delete on core pods"));
    assertThat(RbacAudit.denied("DELETE", "/apis/batch/v1/namespaces/a/jobs?labelSelector=x", rules)).hasValueSatisfying(d -> assertThat(d).contains("deletecollection"));
    assertThat(RbacAudit.denied("PATCH", "/apis/mm1.dev/v1alpha1/namespaces/a/mm1trainings/t/finalizers", rules)).isPresent();
    assertThat(RbacAudit.denied("POST", "/apis/mm1.dev/v1alpha1/namespaces/a/mm1trainings", rules)).isPresent();
    assertThat(RbacAudit.denied("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", rules)).isPresent();
    assertThat(RbacAudit.denied("GET", "/metrics", rules)).hasValue("GET /metrics (non-resource URL)");
  }
}
