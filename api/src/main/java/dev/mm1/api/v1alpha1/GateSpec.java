package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Min;
import io.fabric8.generator.annotation.Pattern;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;
import java.util.List;

/** A CI gate: the eval passes when no benchmark regresses too far and every minimum is met. */
@JsonInclude(JsonInclude.Include.NON_NULL)
@ValidationRule(value = "!(has(self.baselineEval) && has(self.baselineRunId))",
    message = "set at most one of baselineEval or baselineRunId")
@ValidationRule(value = "!has(self.maxRegression) || has(self.baselineEval) || has(self.baselineRunId)",
    message = "maxRegression needs a baseline: set baselineEval or baselineRunId", fieldPath = ".maxRegression")
@ValidationRule(value = "has(self.maxRegression) || (has(self.thresholds) && size(self.thresholds) > 0)",
    message = "a gate needs something to judge: thresholds, or maxRegression against a baseline")
public class GateSpec {
  /** Name of an earlier MM1Eval in this namespace whose results are the baseline. */
  @Pattern("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
  public String baselineEval;

  /** Control-plane run id of an eval run whose results are the baseline (instead of baselineEval). */
  @Pattern("^[A-Za-z0-9][-A-Za-z0-9_]*$")
  public String baselineRunId;

  /** Largest allowed drop below the baseline, in the metric's points (e.g. 1.5 CIDEr); needs a baseline. */
  @Min(0)
  public Double maxRegression;

  /** Minimum metric values per benchmark and shot count. */
  @Size(max = 256)
  @ValidationRule(value = "self.all(t, self.filter(u, u.benchmark == t.benchmark && u.shots == t.shots).size() == 1)",
      message = "at most one threshold per benchmark and shot count")
  public List<GateThreshold> thresholds;
}
