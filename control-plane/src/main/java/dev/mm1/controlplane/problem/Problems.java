package dev.mm1.controlplane.problem;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import dev.mm1.api.rest.Problem;
import io.vertx.core.http.HttpServerRequest;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.util.Arrays;
import java.util.UUID;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Maps every failure of a request to RFC 9457 problem details ({@code application/problem+json})
 * with a detail naming the field or value at fault.
 */
public class Problems {
  public static final String MEDIA_TYPE = "application/problem+json";
  private static final Logger LOG = Logger.getLogger(Problems.class);

  /** A problem-details response. */
  public static Response response(int status, String detail, String path) {
    Response.Status known = Response.Status.fromStatusCode(status);
    String title = known != null ? known.getReasonPhrase() : "HTTP " + status;
    Response.ResponseBuilder builder = Response.status(status)
        .type(MEDIA_TYPE)
        .entity(new Problem("about:blank", title, status, detail, path));
    if (status == 401) {
      builder.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer realm=\"mm1\"");
    }
    if (status == 503) {
      builder.header(HttpHeaders.RETRY_AFTER, "5");
    }
    return builder.build();
  }

  @ServerExceptionMapper
  public Response api(ApiException e, HttpServerRequest request) {
    return response(e.status(), e.getMessage(), request.path());
  }

  @ServerExceptionMapper
  public Response json(JsonProcessingException e, HttpServerRequest request) {
    return response(400, describe(e), request.path());
  }

  /** Declared for the subtype too: Quarkus has a built-in mapper for it that answers plain JSON. */
  @ServerExceptionMapper
  public Response mismatch(MismatchedInputException e, HttpServerRequest request) {
    return response(400, describe(e), request.path());
  }

  @ServerExceptionMapper
  public Response web(WebApplicationException e, HttpServerRequest request) {
    if (e.getCause() instanceof JsonProcessingException json) {
      return response(400, describe(json), request.path());
    }
    int status = e.getResponse().getStatus();
    String detail = switch (status) {
      case 404 -> "no resource at " + request.path();
      case 405 -> request.method() + " is not allowed on " + request.path();
      case 406 -> "cannot produce the media type the Accept header asks for";
      case 415 -> "unsupported Content-Type " + request.getHeader("Content-Type") + "; send application/json";
      default -> e.getMessage();
    };
    return response(status, detail, request.path());
  }

  @ServerExceptionMapper
  public Response database(SQLException e, HttpServerRequest request) {
    if (unavailable(e)) {
      LOG.warnf("database unavailable for %s %s: %s", request.method(), request.path(), e.getMessage());
      return response(503, "the database is unavailable; retry shortly", request.path());
    }
    if (java.util.Set.of("22021", "22P05", "22003").contains(String.valueOf(e.getSQLState()))) {
      // A value PostgreSQL cannot store: a NUL character in text, a number out of range.
      return response(400, "a value was rejected by the database: " + firstLine(e.getMessage()), request.path());
    }
    return internal(e, request);
  }

  private static String firstLine(String message) {
    return message == null ? "" : message.lines().findFirst().orElse("");
  }

  @ServerExceptionMapper
  public Response internal(Throwable e, HttpServerRequest request) {
    if (e.getCause() instanceof SQLException sql) {
      return database(sql, request);
    }
    String incident = UUID.randomUUID().toString();
    LOG.errorf(e, "internal error %s on %s %s", incident, request.method(), request.path());
    return response(500, "internal error " + incident + "; the server log has the details", request.path());
  }

  /** Connection failures, an administrative shutdown, or no connection available from the pool. */
  private static boolean unavailable(SQLException e) {
    String state = e.getSQLState();
    return e instanceof SQLTransientConnectionException
        || (state != null && (state.startsWith("08") || state.startsWith("57P")))
        || String.valueOf(e.getMessage()).contains("Acquisition timeout");
  }

  /** Names the JSON path at fault ("points[3].step") and what was wrong. */
  static String describe(JsonProcessingException e) {
    if (e instanceof JsonParseException parse) {
      return "malformed JSON at line " + parse.getLocation().getLineNr() + ", column "
          + parse.getLocation().getColumnNr() + ": " + parse.getOriginalMessage();
    }
    if (e instanceof JsonMappingException mapping) {
      String field = path(mapping);
      if (mapping instanceof UnrecognizedPropertyException unknown) {
        return "unknown field " + field + "; allowed: " + unknown.getKnownPropertyIds();
      }
      if (mapping instanceof InvalidFormatException format && format.getTargetType() != null
          && format.getTargetType().isEnum()) {
        String allowed = Arrays.stream(format.getTargetType().getEnumConstants())
            .map(Object::toString).collect(Collectors.joining(", "));
        return field + ": '" + format.getValue() + "' is not one of " + allowed;
      }
      if (mapping instanceof InvalidFormatException format) {
        return field + ": '" + format.getValue() + "' is not a valid "
            + format.getTargetType().getSimpleName().toLowerCase();
      }
      String message = mapping.getOriginalMessage();
      return field.isEmpty() ? message : field + ": " + message;
    }
    return e.getOriginalMessage();
  }

  private static String path(JsonMappingException e) {
    StringBuilder path = new StringBuilder();
    for (JsonMappingException.Reference ref : e.getPath()) {
      if (ref.getFieldName() != null) {
        path.append(path.isEmpty() ? "" : ".").append(ref.getFieldName());
      } else if (ref.getIndex() >= 0) {
        path.append('[').append(ref.getIndex()).append(']');
      }
    }
    return path.toString();
  }
}
