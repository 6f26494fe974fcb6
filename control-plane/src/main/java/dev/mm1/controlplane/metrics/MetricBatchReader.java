package dev.mm1.controlplane.metrics;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.mm1.api.rest.MetricBatch;
import dev.mm1.api.rest.MetricPoint;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import jakarta.ws.rs.ext.MessageBodyReader;
import jakarta.ws.rs.ext.Provider;
import java.io.IOException;
import java.io.InputStream;
import java.lang.annotation.Annotation;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads a {@link MetricBatch} with Jackson's streaming parser: the common shape
 * ({@code {"points":[{"name":…,"step":…,"value":…}, …]}}) token by token, about twice as fast as
 * data binding into records (which took a sixth of the server's time per 1 000-point request).
 * Values are parsed by Jackson's fast double parser (correctly rounded, like
 * {@link Double#parseDouble}, at a fraction of its cost), and a name equal to the previous point's
 * is the same String, so later steps check and look it up once per run of equal names.
 * Anything else (a time, a string where a number belongs, an unknown field, malformed JSON) is
 * read again by the data binder, so errors and coercions stay exactly those of every other body.
 */
@Provider
@Consumes(MediaType.APPLICATION_JSON)
public class MetricBatchReader implements MessageBodyReader<MetricBatch> {
  private final ObjectMapper json;
  private final JsonFactory commonShapeParsers;

  MetricBatchReader(ObjectMapper json) {
    this.json = json;
    this.commonShapeParsers = json.getFactory().rebuild().enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER).build();
  }

  @Override
  public boolean isReadable(Class<?> type, Type genericType, Annotation[] annotations, MediaType mediaType) {
    return type == MetricBatch.class;
  }

  @Override
  public MetricBatch readFrom(Class<MetricBatch> type, Type genericType, Annotation[] annotations,
      MediaType mediaType, MultivaluedMap<String, String> headers, InputStream body) throws IOException {
    byte[] bytes = body.readAllBytes();
    if (isBlank(bytes)) {
      return null; // no body: the service answers that points are required
    }
    MetricBatch batch;
    try (JsonParser parser = commonShapeParsers.createParser(bytes)) {
      batch = commonShape(parser);
    } catch (IOException notTheCommonShape) {
      batch = null;
    }
    return batch != null ? batch : json.readValue(bytes, MetricBatch.class);
  }

  private static boolean isBlank(byte[] bytes) {
    for (byte b : bytes) {
      if (!Character.isWhitespace(b)) {
        return false;
      }
    }
    return true;
  }

  private static boolean sameText(JsonParser parser, String text) throws IOException {
    if (text == null || parser.getTextLength() != text.length()) {
      return false;
    }
    char[] chars = parser.getTextCharacters();
    int offset = parser.getTextOffset();
    for (int k = 0; k < text.length(); k++) {
      if (chars[offset + k] != text.charAt(k)) {
        return false;
      }
    }
    return true;
  }

  /** The batch, or null when the body is anything but the common shape. */
  private static MetricBatch commonShape(JsonParser parser) throws IOException {
    if (parser.nextToken() != JsonToken.START_OBJECT || !"points".equals(parser.nextFieldName())
        || parser.nextToken() != JsonToken.START_ARRAY) {
      return null;
    }
    List<MetricPoint> points = new ArrayList<>();
    String previousName = null;
    for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
      if (token != JsonToken.START_OBJECT) {
        return null;
      }
      String name = null;
      long step = 0;
      double value = 0;
      int seen = 0;
      for (String field = parser.nextFieldName(); field != null; field = parser.nextFieldName()) {
        JsonToken v = parser.nextToken();
        switch (field) {
          case "name" -> {
            if (v != JsonToken.VALUE_STRING) {
              return null;
            }
            name = sameText(parser, previousName) ? previousName : parser.getText();
            previousName = name;
            seen |= 1;
          }
          case "step" -> {
            if (v != JsonToken.VALUE_NUMBER_INT || parser.getNumberType() != JsonParser.NumberType.INT
                && parser.getNumberType() != JsonParser.NumberType.LONG) {
              return null;
            }
            step = parser.getLongValue();
            seen |= 2;
          }
          case "value" -> {
            if (v != JsonToken.VALUE_NUMBER_INT && v != JsonToken.VALUE_NUMBER_FLOAT) {
              return null;
            }
            value = parser.getDoubleValue();
            seen |= 4;
          }
          default -> {
            return null;
          }
        }
      }
      if (seen != 7 || parser.currentToken() != JsonToken.END_OBJECT) {
        return null;
      }
      points.add(new MetricPoint(name, step, value, null));
    }
    if (parser.nextToken() != JsonToken.END_OBJECT || parser.nextToken() != null) {
      return null;
    }
    return new MetricBatch(points);
  }
}
