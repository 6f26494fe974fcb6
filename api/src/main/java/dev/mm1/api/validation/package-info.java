/**
 * Validation of custom resources against the generated CRD schema, applied as the API server
 * applies it with strict field validation. Used wherever a spec enters the platform without an
 * API server in front of it (the operator re-checks, local mode, tests).
 */
package dev.mm1.api.validation;
