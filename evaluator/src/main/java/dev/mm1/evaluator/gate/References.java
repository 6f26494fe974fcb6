package dev.mm1.evaluator.gate;

import dev.mm1.api.v1alpha1.CheckpointReference;
import dev.mm1.evaluator.InvalidInputException;
import java.util.regex.Pattern;

/**
 * The references {@code ./mm1 gate} accepts on its command line.
 *
 * <ul>
 *   <li>checkpoint: {@code TRAINING}, {@code TRAINING@latest} or {@code TRAINING@STEP} (a
 *       checkpoint of that MM1Training in the eval's namespace), or a checkpoint directory URI
 *       ({@code file:}, {@code s3:}, {@code gs:}, {@code http(s):}, {@code pvc:});
 *   <li>baseline: a control-plane run id ({@code 42} or {@code run:42}), or an MM1Eval by name
 *       ({@code NAME}, {@code NAMESPACE/NAME} or {@code eval:NAMESPACE/NAME}), whose newest run is used.
 * </ul>
 */
final class References {
  private static final Pattern NAME = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
  private static final Pattern STEP = Pattern.compile("^(latest|[0-9]+)$");
  private static final Pattern URI = Pattern.compile("^(file|s3|gs|https?|pvc):.+");
  private static final Pattern RUN_ID = Pattern.compile("^[0-9]+$");

  private References() {}

  /** A baseline: a run id, or an eval's name and (optional) namespace. */
  record Baseline(String runId, String namespace, String evalName) {
    @Override
    public String toString() {
      return runId != null ? "run " + runId : "eval " + (namespace == null ? "" : namespace + "/") + evalName;
    }
  }

  static CheckpointReference checkpoint(String text) {
    CheckpointReference reference = new CheckpointReference();
    if (URI.matcher(text).matches()) {
      reference.uri = text;
      reference.step = null;
      return reference;
    }
    int at = text.lastIndexOf('@');
    String training = at < 0 ? text : text.substring(0, at);
    String step = at < 0 ? "latest" : text.substring(at + 1);
    if (!NAME.matcher(training).matches() || !STEP.matcher(step).matches()) {
      throw new InvalidInputException("--checkpoint: '" + text + "' is neither TRAINING[@latest|@STEP] (a lower-case "
          + "MM1Training name, a step number) nor a checkpoint URI (file:, s3:, gs:, http(s): or pvc:)");
    }
    reference.fromTraining = training;
    reference.step = step;
    return reference;
  }

  static Baseline baseline(String text) {
    String value = text;
    if (value.startsWith("run:")) {
      value = value.substring(4);
      if (!RUN_ID.matcher(value).matches()) {
        throw new InvalidInputException("--baseline: '" + text + "': a run id is a number, as in run:42");
      }
      return new Baseline(value, null, null);
    }
    if (RUN_ID.matcher(value).matches()) {
      return new Baseline(value, null, null);
    }
    if (value.startsWith("eval:")) {
      value = value.substring(5);
    }
    int slash = value.indexOf('/');
    String namespace = slash < 0 ? null : value.substring(0, slash);
    String name = slash < 0 ? value : value.substring(slash + 1);
    if (!NAME.matcher(name).matches() || (namespace != null && !NAME.matcher(namespace).matches())) {
      throw new InvalidInputException("--baseline: '" + text + "' is neither a run id (42, run:42) nor an MM1Eval name "
          + "(NAME, NAMESPACE/NAME or eval:NAMESPACE/NAME; lower-case letters, digits and '-')");
    }
    return new Baseline(null, namespace, name);
  }
}
