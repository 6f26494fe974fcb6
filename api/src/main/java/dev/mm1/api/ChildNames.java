package dev.mm1.api;

/**
 * The names of everything the operator creates for a custom resource. Nothing else spells a child
 * name, so an operator restart finds (adopts) exactly the children an earlier instance created,
 * and validation can check up front that every child name a training will ever need is valid.
 */
public final class ChildNames {
  private ChildNames() {}

  /**
   * The most gang attempts a training gets (restarts, disruptions and resumes together). It bounds
   * the length of Job and pod host names, which validation checks for every attempt up front.
   */
  public static final int MAX_ATTEMPTS = 9999;

  /** Longest DNS label, which Service names, pod host names and label values must fit in. */
  public static final int MAX_LABEL = 63;

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
    return workerHostname(parent, attempt, index) + "." + service(parent) + "." + namespace + ".svc";
  }

  /** The pod host name (a DNS label) of worker {@code index} of an attempt. */
  public static String workerHostname(String parent, int attempt, int index) {
    return job(parent, attempt) + "-" + index;
  }
}
