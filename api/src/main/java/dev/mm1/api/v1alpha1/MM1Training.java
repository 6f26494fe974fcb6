package dev.mm1.api.v1alpha1;

import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn;
import io.fabric8.crd.generator.annotation.AdditionalPrinterColumn.Type;
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
public class MM1Training extends CustomResource<MM1TrainingSpec, MM1TrainingStatus> implements Namespaced {
  public static final String GROUP = "mm1.dev";
  public static final String VERSION = "v1alpha1";
}
