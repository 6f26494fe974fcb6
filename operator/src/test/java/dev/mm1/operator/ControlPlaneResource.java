package dev.mm1.operator;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import dev.mm1.operator.simulation.TestingControlPlane;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/** Starts one {@link TestingControlPlane} for the Quarkus tests and points the operator at it. */
public class ControlPlaneResource implements QuarkusTestResourceLifecycleManager {
  private static TestingControlPlane controlPlane;

  public static TestingControlPlane controlPlane() {
    return controlPlane;
  }

  @Override
  public Map<String, String> start() {
    try {
      controlPlane = new TestingControlPlane();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return Map.of(
        "mm1.operator.control-plane.url", controlPlane.url().toString(),
        "mm1.operator.control-plane.token", TestingControlPlane.TOKEN);
  }

  @Override
  public void stop() {
    controlPlane.close();
  }
}
