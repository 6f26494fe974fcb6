package dev.mm1.operator.validation;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.json.JsonMapper;
import dev.mm1.api.v1alpha1.MM1Training;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import org.junit.jupiter.api.Test;

/** The schema check sees the object as the API server sent it, never a typed copy that lost what did not fit. */
class StoredObjectsTest {
  static final String STORED = """
      {"apiVersion":"mm1.dev/v1alpha1","kind":"MM1Training",
       "metadata":{"name":"t","namespace":"a","uid":"u-stored-1","resourceVersion":"7","generation":1},
       "spec":{"stage":"Pretrain","optimisation":{"steps":10},"resources":{"nodes":"two"}}}""";

  @Test
  void keepsTheServersJsonAndIgnoresCopiesOfTheSameVersion() {
    var mapper = JsonMapper.builder().build();
    LenientSpecReading.install(mapper);
    var serialization = new KubernetesSerialization(mapper, true);
    var training = serialization.unmarshal(STORED, MM1Training.class);
    // The typed object lost the misspelled field and the string where a number belongs.
    assertThat(serialization.asJson(training)).doesNotContain("optimisation").doesNotContain("two");

    var kept = StoredObjects.of(training).orElseThrow();
    assertThat(kept.path("spec").has("optimisation")).isTrue();
    assertThat(kept.path("spec").path("resources").path("nodes").asText()).isEqualTo("two");

    // A clone (JOSDK copies the primary before each reconcile) has the same version: the server's JSON stays.
    var copy = serialization.clone(training);
    assertThat(StoredObjects.of(copy).orElseThrow().path("spec").has("optimisation")).isTrue();

    // Another version of the object is not answered with this one.
    copy.getMetadata().setResourceVersion("8");
    assertThat(StoredObjects.of(copy)).isEmpty();
  }
}
