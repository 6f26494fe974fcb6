/**
 * JSON bodies of the control plane's REST API ({@code /api/v1}), shared by the control plane that
 * serves them and by the operator, trainer, evaluator and CI gate that call it. Errors are RFC 9457
 * problem details ({@link dev.mm1.api.rest.Problem}).
 */
package dev.mm1.api.rest;
