package dev.mm1.operator;

/**
 * The names of everything the operator creates for a custom resource. Nothing else spells a child
 * name, so an operator restart finds (adopts) exactly the children an earlier instance created.
 */
public final class ChildNames {
  private ChildNames() {}

  /** ConfigMap holding the rendered trainer or evaluator configuration. */
  public static String config(String parent) {
    return parent + "-config";
  }

  /** Headless Service giving each worker pod a stable DNS name. */
  public static String service(String parent) {
    return parent + "-workers";
  }

  /** The Job of one gang attempt; a gang restart creates the next attempt's Job. */
  public static String job(String parent, int attempt) {
    return parent + "-a" + attempt;
  }

  /** The checkpoint PersistentVolumeClaim created when spec.checkpoints.createClaim is set. */
  public static String checkpointClaim(String parent) {
    return parent + "-checkpoints";
  }

  /** The evaluator Job of an MM1Eval. */
  public static String evaluatorJob(String parent) {
    return parent + "-evaluator";
  }

  /**
   * Stable DNS name of the worker with completion index {@code index}: an Indexed Job names its pods'
   * hostnames {@code <job>-<index>}, and the headless Service is their subdomain.
   */
  public static String workerHost(String parent, int attempt, int index, String namespace) {
    return job(parent, attempt) + "-" + index + "." + service(parent) + "." + namespace + ".svc";
  }
}
