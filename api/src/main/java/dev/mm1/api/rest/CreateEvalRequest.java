package dev.mm1.api.rest;

import dev.mm1.api.v1alpha1.MM1EvalSpec;

/**
 * {@code POST /api/v1/evals}: the control plane creates an MM1Eval custom resource (on a cluster)
 * or runs it locally, and returns the eval's run.
 *
 * @param name name of the MM1Eval to create (generated when null)
 * @param namespace namespace to create it in
 * @param spec the MM1Eval spec
 */
public record CreateEvalRequest(String name, String namespace, MM1EvalSpec spec) {}
