package dev.mm1.operator;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.api.model.rbac.PolicyRuleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;

/**
 * The least privilege the operator needs, rule by rule, and the RBAC manifests generated from it
 * ({@code manifests/operator/rbac.yaml}; {@code RbacManifestTest} fails when that file is stale).
 */
public final class OperatorRbac {
  public static final String NAME = "mm1-operator";
  public static final String NAMESPACE = "mm1-system";

  private OperatorRbac() {}

  /** Cluster-wide rules: the operator watches all namespaces by default. */
  public static final List<PolicyRule> RULES = List.of(
      // Read the custom resources; patch/update only to add and remove the finalizer (never the spec).
      rule("mm1.dev", List.of("mm1trainings", "mm1evals"), "get", "list", "watch", "patch", "update"),
      rule("mm1.dev", List.of("mm1trainings/status", "mm1evals/status"), "get", "update", "patch"),
      // Children carry blockOwnerDeletion owner references: OpenShift's owner-reference enforcement
      // asks for update on the owner's finalizers.
      rule("mm1.dev", List.of("mm1trainings/finalizers", "mm1evals/finalizers"), "update"),
      // Children: created, watched, deleted on restart and TTL; the ConfigMap is updated in place.
      rule("batch", List.of("jobs"), "get", "list", "watch", "create", "delete"),
      rule("", List.of("services"), "get", "list", "watch", "create", "delete"),
      rule("", List.of("configmaps"), "get", "list", "watch", "create", "update", "delete"),
      // Pods are only read: their exit codes decide between restart and failure.
      rule("", List.of("pods"), "get", "list", "watch"),
      // The checkpoint claim is created (and read when its name is taken), never updated or deleted.
      rule("", List.of("persistentvolumeclaims"), "get", "create"),
      // Events are written; a Job's FailedCreate events are read when its pods do not appear.
      rule("", List.of("events"), "create", "list"),
      // Only the control-plane token Secret, and only whether it exists (a missing one is a condition).
      namedRule("", "secrets", "mm1-control-plane-token", "get"));

  /** Rules in the operator's own namespace: the leader-election Lease. */
  public static final List<PolicyRule> LEADER_ELECTION = List.of(
      rule("coordination.k8s.io", List.of("leases"), "get", "create", "update"));

  public static List<HasMetadata> manifests() {
    var account = new ServiceAccountBuilder().withNewMetadata().withName(NAME).withNamespace(NAMESPACE).endMetadata().build();
    var clusterRole = new ClusterRoleBuilder().withNewMetadata().withName(NAME).endMetadata().withRules(RULES).build();
    var clusterBinding = new ClusterRoleBindingBuilder().withNewMetadata().withName(NAME).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", NAME)
        .addNewSubject().withKind("ServiceAccount").withName(NAME).withNamespace(NAMESPACE).endSubject()
        .build();
    var role = new RoleBuilder().withNewMetadata().withName(NAME + "-leader-election").withNamespace(NAMESPACE).endMetadata()
        .withRules(LEADER_ELECTION).build();
    var binding = new RoleBindingBuilder().withNewMetadata().withName(NAME + "-leader-election").withNamespace(NAMESPACE).endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", NAME + "-leader-election")
        .addNewSubject().withKind("ServiceAccount").withName(NAME).withNamespace(NAMESPACE).endSubject()
        .build();
    return List.of(account, clusterRole, clusterBinding, role, binding);
  }

  /** The manifests as one multi-document YAML file. */
  public static String yaml() {
    var serialization = new KubernetesSerialization();
    var out = new StringBuilder("# Generated from dev.mm1.operator.OperatorRbac; regenerate with\n"
        + "# ./mvnw -pl operator -am verify -Dtest=RbacManifestTest -Dsurefire.failIfNoSpecifiedTests=false -Dmm1.write-manifests=true\n");
    for (var manifest : manifests()) {
      out.append(serialization.asYaml(manifest));
    }
    return out.toString();
  }

  private static PolicyRule namedRule(String group, String resource, String name, String... verbs) {
    return new PolicyRuleBuilder().withApiGroups(group).withResources(resource).withResourceNames(name).withVerbs(verbs).build();
  }

  private static PolicyRule rule(String group, List<String> resources, String... verbs) {
    return new PolicyRuleBuilder().withApiGroups(group).withResources(resources).withVerbs(verbs).build();
  }
}
