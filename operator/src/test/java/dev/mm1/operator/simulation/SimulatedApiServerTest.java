package dev.mm1.operator.simulation;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.mm1.api.v1alpha1.MM1Training;
import dev.mm1.api.v1alpha1.MM1TrainingStatus;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.DeletionPropagation;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** Where the simulated API server behaves like a real one and the plain CRUD mock does not. */
class SimulatedApiServerTest {
  @Test
  void aStatusWrittenFromAStaleCopyIsAConflictAndNeverTouchesTheSpec() throws Exception {
    try (var cluster = SimulatedCluster.start()) {
      var client = cluster.client();
      var training = client.getKubernetesSerialization().unmarshal(Files.readString(Path.of("../manifests/samples/tiny-pretrain.yaml")), MM1Training.class);
      training.getMetadata().setNamespace("default");
      var created = client.resource(training).create();
      var stale = client.getKubernetesSerialization().clone(created);
      var edited = client.getKubernetesSerialization().clone(created);
      edited.getSpec().suspend = true;
      client.resource(edited).update();

      stale.setStatus(new MM1TrainingStatus());
      stale.getStatus().attempt = 5;
      assertThatThrownBy(() -> client.resource(stale).updateStatus())
          .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));

      var current = client.resource(edited).get();
      current.getSpec().suspend = false; // a status write carries the spec it read; the server keeps the stored one
      current.setStatus(new MM1TrainingStatus());
      current.getStatus().attempt = 7;
      client.resource(current).updateStatus();
      var stored = client.resource(current).get();
      assertThat(stored.getSpec().suspend).isTrue();
      assertThat(stored.getStatus().attempt).isEqualTo(7);
    }
  }

  @Test
  void foregroundDeletionKeepsTheObjectUntilTheFinalizerGoesAndFieldSelectorsMatchAnyField() {
    try (var cluster = SimulatedCluster.start()) {
      var client = cluster.client();
      var config = client.resource(new ConfigMapBuilder().withNewMetadata().withName("c").withNamespace("default").endMetadata().build()).create();
      client.resource(config).withPropagationPolicy(DeletionPropagation.FOREGROUND).delete();
      var marked = client.configMaps().inNamespace("default").withName("c").get();
      assertThat(marked.getMetadata().getDeletionTimestamp()).isNotNull();
      assertThat(marked.getMetadata().getFinalizers()).containsExactly(SimulatedApiServer.FOREGROUND_DELETION);

      for (var about : new String[] {"job-a", "job-b"}) {
        client.v1().events().inNamespace("default").resource(new EventBuilder().withNewMetadata().withName(about + ".1").endMetadata()
            .withNewInvolvedObject().withKind("Job").withName(about).endInvolvedObject().withReason("FailedCreate").build()).create();
      }
      assertThat(client.v1().events().inNamespace("default").withField("involvedObject.name", "job-b").list().getItems())
          .extracting(e -> e.getMetadata().getName()).containsExactly("job-b.1");
    }
  }
}
