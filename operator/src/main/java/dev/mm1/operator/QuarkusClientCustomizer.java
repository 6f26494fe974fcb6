package dev.mm1.operator;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.operator.validation.LenientSpecReading;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;
import jakarta.inject.Singleton;

/** Makes the operator's Kubernetes client read malformed custom resources leniently. */
@Singleton
public class QuarkusClientCustomizer implements KubernetesClientObjectMapperCustomizer {
  @Override
  public void customize(ObjectMapper mapper) {
    LenientSpecReading.install(mapper);
  }
}
