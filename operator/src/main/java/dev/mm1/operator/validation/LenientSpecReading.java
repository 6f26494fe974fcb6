package dev.mm1.operator.validation;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import java.io.IOException;

/**
 * Lets the Kubernetes client read a custom resource whose spec does not fit our classes (an enum
 * value we do not know, a string where a number belongs, a misspelled field): the bad value reads
 * as unset instead of failing the informer's whole list, and {@link SpecValidator} reports it from
 * the stored object. Without this one bad MM1Training would stop the operator for everyone.
 */
public final class LenientSpecReading extends DeserializationProblemHandler {
  private LenientSpecReading() {}

  /** Installs the handler on the client's mapper, and keeps what it reads for the schema check ({@link StoredObjects}). */
  public static void install(ObjectMapper mapper) {
    mapper.addHandler(new LenientSpecReading());
    mapper.registerModule(StoredObjects.module());
  }

  @Override
  public boolean handleUnknownProperty(
      DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer, Object beanOrClass, String propertyName)
      throws IOException {
    p.skipChildren();
    return true;
  }

  @Override
  public Object handleWeirdStringValue(DeserializationContext ctxt, Class<?> targetType, String valueToConvert, String failureMsg) {
    return targetType.isPrimitive() ? NOT_HANDLED : null;
  }

  @Override
  public Object handleWeirdNumberValue(DeserializationContext ctxt, Class<?> targetType, Number valueToConvert, String failureMsg) {
    return targetType.isPrimitive() ? NOT_HANDLED : null;
  }

  @Override
  public Object handleUnexpectedToken(
      DeserializationContext ctxt, JavaType targetType, JsonToken t, JsonParser p, String failureMsg) throws IOException {
    if (targetType.isPrimitive()) {
      return NOT_HANDLED;
    }
    p.skipChildren();
    return null;
  }
}
