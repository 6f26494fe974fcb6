package dev.mm1.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** manifests/operator/rbac.yaml must be what {@link OperatorRbac} generates. */
class RbacManifestTest {
  static final Path COMMITTED = Path.of("../manifests/operator/rbac.yaml");

  @Test
  void committedRbacMatchesTheGeneratedOne() throws IOException {
    if (Boolean.getBoolean("mm1.write-manifests")) {
      Files.createDirectories(COMMITTED.getParent());
      Files.writeString(COMMITTED, OperatorRbac.yaml());
    }
    assertThat(Files.readString(COMMITTED)).as("manifests/operator/rbac.yaml is stale; " + OperatorRbac.yaml().lines().skip(1).findFirst().orElseThrow())
        .isEqualTo(OperatorRbac.yaml());
  }

  @Test
  void theOperatorNeverCreatesOrDeletesItsResourcesNorDeletesCheckpoints() {
    assertThat(OperatorRbac.RULES).noneSatisfy(rule -> {
      assertThat(rule.getResources()).containsAnyOf("mm1trainings", "mm1evals");
      assertThat(rule.getVerbs()).containsAnyOf("create", "delete");
    });
    assertThat(OperatorRbac.RULES).filteredOn(rule -> rule.getResources().contains("secrets"))
        .singleElement().satisfies(rule -> assertThat(rule.getResourceNames()).containsExactly("mm1-control-plane-token"));
    assertThat(OperatorRbac.RULES).noneSatisfy(rule -> {
      assertThat(rule.getResources()).contains("persistentvolumeclaims");
      assertThat(rule.getVerbs()).contains("delete");
    });
  }
}
