package dev.mm1.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
import io.fabric8.generator.annotation.ValidationRule;
import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Kind;
import io.fabric8.kubernetes.model.annotation.Plural;
import io.fabric8.kubernetes.model.annotation.ShortNames;
import io.fabric8.kubernetes.model.annotation.Singular;
import io.fabric8.kubernetes.model.annotation.Version;

/** A pre-training or supervised fine-tuning run of an MM1 model on one or more nodes. */
@Group(MM1Training.GROUP)
@Version(MM1Training.VERSION)
@Kind("MM1Training")
@Singular("mm1training")
@Plural("mm1trainings")
@ShortNames("mm1t")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Step", jsonPath = ".status.step", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Loss", jsonPath = ".status.loss", type = Type.NUMBER)
@AdditionalPrinterColumn(name = "Checkpoint", jsonPath = ".status.latestCheckpoint.step", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Restarts", jsonPath = ".status.restarts", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@ValidationRule(value = "self.metadata.name.matches('^[a-z]([-a-z0-9]*[a-z0-9])?$')",
    message = "metadata.name must be a DNS-1035 label (a lower-case letter first, then letters, digits and '-'): it names the workers' Service")
@ValidationRule(value = "size(self.metadata.name) + 7 + size(string((has(self.spec.resources) && has(self.spec.resources.nodes) ? self.spec.resources.nodes : 1) - 1)) <= 63",
    message = "metadata.name is too long: worker host names <name>-a<attempt up to 9999>-<index> must fit in 63 characters")
@ValidationRule(value = "!has(self.spec.init) || !has(self.spec.init.fromTraining) || self.spec.init.fromTraining != self.metadata.name",
    message = "a training cannot start from its own checkpoints", fieldPath = ".spec.init.fromTraining")
public class MM1Training extends CustomResource<MM1TrainingSpec, MM1TrainingStatus> implements Namespaced {
  public static final String GROUP = "mm1.dev";
  public static final String VERSION = "v1alpha1";
}
