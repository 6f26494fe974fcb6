package dev.mm1.controlplane.auth;

import jakarta.enterprise.context.RequestScoped;

/** The caller of the current request, set by {@link BearerAuthFilter}. */
@RequestScoped
public class CurrentCaller {
  private Caller caller = Caller.ANONYMOUS;

  public Caller get() {
    return caller;
  }

  void set(Caller caller) {
    this.caller = caller;
  }

  /** The name recorded in audit trails. */
  public String name() {
    return caller.name();
  }
}
