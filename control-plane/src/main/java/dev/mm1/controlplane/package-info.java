/**
 * The control plane: REST API and server-rendered web UI over PostgreSQL, MM1Eval creation for CI, and the local-mode launcher.
 */
package dev.mm1.controlplane;
