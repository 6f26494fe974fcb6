/** Contracts shared by every MM1 module: custom resource types and the pod environment. */
package dev.mm1.api;
