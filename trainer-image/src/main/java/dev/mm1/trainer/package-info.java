/**
 * The training entrypoint: data pipeline, mixture sampler, training loop, optimizer, checkpoints, data-parallel collective, reporting to the control plane.
 */
package dev.mm1.trainer;
