package dev.mm1.local.apiserver;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.mm1.api.v1alpha1.MM1Training;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.batch.v1.JobBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The local API server through a Kubernetes client, as the operator, the node agent and kubectl
 * use it: admission, deletion with finalizers and grace periods, watches from a resource version,
 * field selectors, merge patches, Tables, discovery, and objects kept across a restart.
 */
class LocalApiServerTest {
  @TempDir Path dir;
  LocalApiServer server;
  KubernetesClient client;

  static List<CustomResourceDefinition> crds() throws IOException {
    var crds = new ArrayList<CustomResourceDefinition>();
    for (var plural : List.of("mm1trainings", "mm1evals")) {
      try (var in = LocalApiServerTest.class.getClassLoader().getResourceAsStream("META-INF/mm1/crds/" + plural + ".mm1.dev.yaml")) {
        crds.add(Serialization.unmarshal(in, CustomResourceDefinition.class));
      }
    }
    return crds;
  }

  @BeforeEach
  void start() throws IOException {
    server = LocalApiServer.start(new InetSocketAddress("127.0.0.1", 0), dir.resolve("objects.json"), crds());
    client = server.client();
  }

  @AfterEach
  void stop() {
    client.close();
    server.close();
  }

  GenericKubernetesResource sample(String name) throws IOException {
    return client.getKubernetesSerialization().unmarshal(Files.readString(Path.of("../manifests/samples/" + name + ".yaml")),
        GenericKubernetesResource.class);
  }

  @Test
  void aCustomResourceIsStoredWithDefaultsARandomUidAndItsStatusSubresource() throws IOException {
    var created = client.genericKubernetesResources("mm1.dev/v1alpha1", "MM1Training").inNamespace("default")
        .resource(sample("tiny-pretrain")).create();
    assertThat(created.getMetadata().getUid()).matches("[0-9a-f-]{36}").doesNotStartWith("00000000");
    var training = client.resources(MM1Training.class).inNamespace("default").withName("tiny-pretrain").get();
    assertThat(training.getSpec().checkpoints.mountPath).isEqualTo("/checkpoints");
    assertThat(training.getMetadata().getGeneration()).isEqualTo(1);

    training.setStatus(new dev.mm1.api.v1alpha1.MM1TrainingStatus());
    training.getStatus().step = 7L;
    training = client.resource(training).updateStatus();
    training.getSpec().suspend = true;
    var updated = client.resource(training).update();
    assertThat(updated.getMetadata().getGeneration()).isEqualTo(2);
    assertThat(updated.getStatus().step).isEqualTo(7L); // a spec write leaves the status alone
  }

  @Test
  void aBadSpecIsRefusedWithItsFieldAndNothingIsStored() throws IOException {
    var bad = sample("tiny-pretrain");
    ((java.util.Map<String, Object>) ((java.util.Map<String, Object>) bad.getAdditionalProperties().get("spec")).get("resources")).put("nodes", 0);
    assertThatThrownBy(() -> client.genericKubernetesResources("mm1.dev/v1alpha1", "MM1Training").inNamespace("default").resource(bad).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getDetails().getCauses()).anyMatch(c -> "spec.resources.nodes".equals(c.getField()));
        });
    assertThat(client.resources(MM1Training.class).inNamespace("default").list().getItems()).isEmpty();
  }

  @Test
  void anObjectWithFinalizersOrABoundRunningPodStaysUntilItIsReleased() {
    var pod = client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
        .withNewSpec().withNodeName("n").withTerminationGracePeriodSeconds(20L).addNewContainer().withName("c").withImage("trainer").endContainer()
        .endSpec().withNewStatus().withPhase("Running").endStatus().build()).create();
    client.resource(pod).delete();
    var terminating = client.pods().inNamespace("default").withName("p").get();
    assertThat(terminating.getMetadata().getDeletionTimestamp()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ");
    assertThat(terminating.getMetadata().getDeletionGracePeriodSeconds()).isEqualTo(20L);
    client.pods().inNamespace("default").withName("p").withGracePeriod(0).delete();
    assertThat(client.pods().inNamespace("default").withName("p").get()).isNull();

    var job = client.batch().v1().jobs().inNamespace("default").resource(new JobBuilder().withNewMetadata().withName("j").endMetadata()
        .withNewSpec().withNewTemplate().withNewSpec().addNewContainer().withName("c").withImage("trainer").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    client.resource(job).withPropagationPolicy(io.fabric8.kubernetes.api.model.DeletionPropagation.FOREGROUND).delete();
    var deleting = client.batch().v1().jobs().inNamespace("default").withName("j").get();
    assertThat(deleting.getMetadata().getFinalizers()).containsExactly("foregroundDeletion");
    client.batch().v1().jobs().inNamespace("default").withName("j")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"metadata\":{\"finalizers\":null}}");
    assertThat(client.batch().v1().jobs().inNamespace("default").withName("j").get()).isNull();
  }

  @Test
  void aMergePatchReplacesListsAsRfc7396Says() {
    client.pods().inNamespace("default").resource(new PodBuilder().withNewMetadata().withName("p").endMetadata()
        .withNewSpec().addNewContainer().withName("c").withImage("trainer").endContainer().endSpec()
        .withNewStatus().addNewCondition().withType("Ready").withStatus("True").endCondition()
        .addNewCondition().withType("PodScheduled").withStatus("True").endCondition().endStatus().build()).create();
    client.pods().inNamespace("default").withName("p").subresource("status")
        .patch(PatchContext.of(PatchType.JSON_MERGE), "{\"status\":{\"phase\":\"Failed\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\"}]}}");
    var pod = client.pods().inNamespace("default").withName("p").get();
    assertThat(pod.getStatus().getConditions()).extracting(c -> c.getType() + "=" + c.getStatus()).containsExactly("Ready=False");
    assertThat(pod.getStatus().getPhase()).isEqualTo("Failed");
  }

  @Test
  void aWatchFromAResourceVersionSendsOnlyWhatChangedAfterIt() throws Exception {
    client.configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("before").endMetadata().build()).create();
    var list = client.configMaps().inNamespace("default").list();
    var events = new CopyOnWriteArrayList<String>();
    try (var watch = client.configMaps().inNamespace("default").withResourceVersion(list.getMetadata().getResourceVersion())
        .watch(new Watcher<io.fabric8.kubernetes.api.model.ConfigMap>() {
          @Override
          public void eventReceived(Action action, io.fabric8.kubernetes.api.model.ConfigMap resource) {
            events.add(action + " " + resource.getMetadata().getName());
          }

          @Override
          public void onClose(WatcherException cause) {}
        })) {
      client.configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
          .withNewMetadata().withName("after").endMetadata().build()).create();
      client.configMaps().inNamespace("default").withName("before").delete();
      await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 2);
      assertThat(events).containsExactly("ADDED after", "DELETED before");
    }
  }

  @Test
  void fieldSelectorsSelectOnAnyField() {
    for (var about : List.of("a", "b")) {
      client.v1().events().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
          .withNewMetadata().withName(about + ".1").endMetadata()
          .withNewInvolvedObject().withKind("Pod").withName(about).withNamespace("default").endInvolvedObject()
          .withReason(about.equals("a") ? "Started" : "Killing").withType("Normal").build()).create();
    }
    var selected = client.v1().events().inNamespace("default").withField("involvedObject.name", "b").list().getItems();
    assertThat(selected).extracting(e -> e.getReason()).containsExactly("Killing");
  }

  @Test
  void discoveryTablesAndOpenApiAreServed() throws Exception {
    var http = HttpClient.newHttpClient();
    var base = server.url();
    assertThat(get(http, base.resolve("/apis"), "application/json")).contains("\"name\":\"mm1.dev\"", "\"name\":\"batch\"");
    assertThat(get(http, base.resolve("/apis/mm1.dev/v1alpha1"), "application/json"))
        .contains("\"name\":\"mm1trainings\"", "\"shortNames\":[\"mm1t\"]", "\"name\":\"mm1trainings/status\"");
    assertThat(get(http, base.resolve("/openapi/v3/apis/mm1.dev/v1alpha1"), "application/json"))
        .contains("\"name\":\"fieldValidation\"", "\"x-kubernetes-group-version-kind\"");
    client.genericKubernetesResources("mm1.dev/v1alpha1", "MM1Training").inNamespace("default").resource(sample("tiny-pretrain")).create();
    var table = get(http, base.resolve("/apis/mm1.dev/v1alpha1/namespaces/default/mm1trainings"), "application/json;as=Table;v=v1;g=meta.k8s.io");
    assertThat(table).contains("\"kind\":\"Table\"", "\"name\":\"Phase\"", "\"name\":\"Step\"", "\"name\":\"Loss\"", "\"name\":\"Checkpoint\"",
        "\"name\":\"Restarts\"", "\"cells\":[\"tiny-pretrain\"");
  }

  @Test
  void objectsAndTheirUidsSurviveARestartAndNewVersionsCountOn() throws IOException {
    var created = client.genericKubernetesResources("mm1.dev/v1alpha1", "MM1Training").inNamespace("default")
        .resource(sample("tiny-pretrain")).create();
    client.close();
    server.close();
    server = LocalApiServer.start(new InetSocketAddress("127.0.0.1", 0), dir.resolve("objects.json"), crds());
    client = server.client();
    var restored = client.resources(MM1Training.class).inNamespace("default").withName("tiny-pretrain").get();
    assertThat(restored.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
    var next = client.configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("later").endMetadata().build()).create();
    assertThat(Long.parseLong(next.getMetadata().getResourceVersion()))
        .isGreaterThan(Long.parseLong(restored.getMetadata().getResourceVersion()));
  }

  private static String get(HttpClient http, URI uri, String accept) throws Exception {
    var response = http.send(HttpRequest.newBuilder(uri).header("Accept", accept).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(uri.toString()).isEqualTo(200);
    return response.body();
  }
}
