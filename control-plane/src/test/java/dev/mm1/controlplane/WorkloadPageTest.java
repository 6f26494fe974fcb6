package dev.mm1.controlplane;

import static dev.mm1.controlplane.Api.token;
import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.containsString;

import dev.mm1.api.v1alpha1.MM1Eval;
import dev.mm1.api.v1alpha1.MM1Training;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.quarkus.test.kubernetes.client.WithKubernetesTestServer;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The UI's workload actions against the (mock) Kubernetes API: start a training or an eval from a
 * spec or a sample, suspend and resume, delete; trainings need scope admin, evals scope evals.
 */
@QuarkusTest
@TestProfile(WorkloadPageTest.WithSamples.class)
@WithKubernetesTestServer(crud = true)
class WorkloadPageTest {
  @Inject KubernetesClient kubernetes;

  /** The repository's samples offered in the form. */
  public static class WithSamples implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of("mm1.samples.dir", Path.of("../manifests/samples").toAbsolutePath().toString());
    }
  }

  static RequestSpecification page(String token) {
    return given().redirects().follow(false).header("Authorization", "Bearer " + token);
  }

  static String sample(String name, String rename) throws IOException {
    return Files.readString(Path.of("../manifests/samples/" + name + ".yaml")).replace("name: " + name, "name: " + rename);
  }

  @Test
  void anAdminStartsSuspendsResumesAndDeletesATraining() throws IOException {
    var admin = EmbeddedPostgresResource.ADMIN_TOKEN;
    page(admin).formParam("spec", sample("tiny-pretrain", "ui-pretrain")).post("/workloads")
        .then().log().ifValidationFails().statusCode(303).header("Location", containsString("notice=started+MM1Training+default%2Fui-pretrain"));
    var created = kubernetes.resources(MM1Training.class).inNamespace("default").withName("ui-pretrain").get();
    assertThat(created.getSpec().resources.nodes).isEqualTo(2);
    page(admin).get("/workloads").then().statusCode(200).body(containsString("ui-pretrain"), containsString(">Suspend<"));

    page(admin).formParam("suspend", "true").post("/workloads/MM1Training/default/ui-pretrain/suspend").then().statusCode(303);
    assertThat(kubernetes.resources(MM1Training.class).inNamespace("default").withName("ui-pretrain").get().getSpec().suspend).isTrue();
    page(admin).get("/workloads").then().body(containsString("(suspended)"), containsString(">Resume<"));
    page(admin).formParam("suspend", "false").post("/workloads/MM1Training/default/ui-pretrain/suspend").then().statusCode(303);
    assertThat(kubernetes.resources(MM1Training.class).inNamespace("default").withName("ui-pretrain").get().getSpec().suspend).isFalse();

    page(admin).post("/workloads/MM1Training/default/ui-pretrain/delete").then().statusCode(303);
    assertThat(kubernetes.resources(MM1Training.class).inNamespace("default").withName("ui-pretrain").get()).isNull();
  }

  @Test
  void theEvalsScopeStartsAndDeletesEvalsButNotTrainings() throws IOException {
    var ci = token(null, "evals");
    page(ci).formParam("spec", sample("tiny-pretrain", "ui-not-allowed")).post("/workloads")
        .then().statusCode(403).body(containsString("needs scope &#39;admin&#39;"));
    assertThat(kubernetes.resources(MM1Training.class).inNamespace("default").withName("ui-not-allowed").get()).isNull();

    page(ci).formParam("spec", sample("tiny-eval", "ui-eval")).formParam("namespace", "team-b").post("/workloads").then().statusCode(303);
    assertThat(kubernetes.resources(MM1Eval.class).inNamespace("team-b").withName("ui-eval").get()).isNotNull();
    page(ci).post("/workloads/MM1Eval/team-b/ui-eval/delete").then().statusCode(303);
    assertThat(kubernetes.resources(MM1Eval.class).inNamespace("team-b").withName("ui-eval").get()).isNull();

    page(token(null, "read")).formParam("spec", sample("tiny-eval", "ui-read")).post("/workloads").then().statusCode(403);
  }

  @Test
  void aSampleLoadsIntoTheFormAndABadSpecIsShownWithWhatIsWrong() {
    var admin = EmbeddedPostgresResource.ADMIN_TOKEN;
    page(admin).get("/workloads?sample=tiny-sft").then().statusCode(200)
        .body(containsString("<option value=\"tiny-sft\">"), containsString("fromTraining: tiny-pretrain"));
    var refused = page(admin).get("/workloads?sample=..%2Fpom").then().statusCode(200).extract().asString();
    assertThat(refused).contains("is not one of").doesNotContain("<artifactId>");
    page(admin).formParam("spec", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: x\n").post("/workloads")
        .then().statusCode(400).body(containsString("spec: expected apiVersion mm1.dev/v1alpha1 and kind MM1Training or MM1Eval"));
    page(admin).formParam("spec", "apiVersion: mm1.dev/v1alpha1\nkind: MM1Eval\nmetadata: {}\n").post("/workloads")
        .then().statusCode(400).body(containsString("metadata.name is required"));
  }
}
