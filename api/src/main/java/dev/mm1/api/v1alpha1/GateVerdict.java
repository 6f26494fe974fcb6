package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;

/** Whether the eval passed its gate, and why not. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class GateVerdict {
  /** True when every threshold is met and no benchmark regressed beyond maxRegression. */
  public Boolean passed;

  /** One line per failed check, naming the benchmark, shot count, value and limit. */
  public List<String> failures;
}
