package dev.mm1.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/**
 * How the worker processes (nodes x processesPerNode) train one model together: optimizer-state
 * sharding, gradient buckets, and how long a lost or silent worker is waited for.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class DataParallelSpec {
  /** ZeRO stage: 0 keeps the whole AdamW state on every worker; 1 shards it, each worker updating 1/N of the parameters. */
  @Min(0)
  @Max(1)
  public Integer zeroStage = 0;

  /** Size in MiB of the buckets gradients are flattened into for the all-reduce. */
  @Min(1)
  @Max(1024)
  public Integer bucketMegabytes = 25;

  /** Seconds without a heartbeat before a worker counts as lost; every worker then exits with code 75 (retryable). */
  @Min(1)
  @Max(3600)
  public Integer peerTimeoutSeconds = 30;

  /** Seconds one collective operation may wait for a worker that is alive but sends nothing before the run stops. */
  @Min(1)
  @Max(86400)
  public Integer collectiveTimeoutSeconds = 1800;

  /** Seconds the workers wait for each other at start (rendezvous at MASTER_ADDR:MASTER_PORT). */
  @Min(1)
  @Max(86400)
  public Integer rendezvousTimeoutSeconds = 600;

  /** Compare the workers' weights by checksum every this many steps (a difference stops the run); 0 checks only at start. */
  @Min(0)
  public Long weightCheckEverySteps = 100L;
}
