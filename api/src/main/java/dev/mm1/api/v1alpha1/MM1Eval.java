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

/** A few-shot evaluation of one MM1 checkpoint on captioning and VQA benchmarks, optionally gated. */
@Group(MM1Training.GROUP)
@Version(MM1Training.VERSION)
@Kind("MM1Eval")
@Singular("mm1eval")
@Plural("mm1evals")
@ShortNames("mm1e")
@AdditionalPrinterColumn(name = "Phase", jsonPath = ".status.phase", type = Type.STRING)
@AdditionalPrinterColumn(name = "Checkpoint", jsonPath = ".status.checkpoint.step", type = Type.INTEGER)
@AdditionalPrinterColumn(name = "Passed", jsonPath = ".status.gate.passed", type = Type.BOOLEAN)
@AdditionalPrinterColumn(name = "Age", jsonPath = ".metadata.creationTimestamp", type = Type.DATE)
@ValidationRule(value = "self.metadata.name.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$') && size(self.metadata.name) <= 53",
    message = "metadata.name must be a DNS-1123 label of at most 53 characters: the evaluator Job <name>-evaluator must fit in 63")
@ValidationRule(value = "!has(self.spec.gate) || !has(self.spec.gate.baselineEval) || self.spec.gate.baselineEval != self.metadata.name",
    message = "an eval cannot be its own baseline", fieldPath = ".spec.gate.baselineEval")
public class MM1Eval extends CustomResource<MM1EvalSpec, MM1EvalStatus> implements Namespaced {}
