package dev.mm1.images;

/** Ports the images expose (documentation in the image config; Kubernetes manifests name their own). */
final class Ports {
  /** The trainers' rendezvous port (torchrun's default, the operator's default master port). */
  static final int RENDEZVOUS = 29500;
  /** HTTP of the operator (health, metrics) and the control plane (API, UI). */
  static final int HTTP = 8080;

  private Ports() {}
}
