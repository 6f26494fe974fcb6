package dev.mm1.controlplane.auth;

import dev.mm1.controlplane.problem.ApiException;
import dev.mm1.controlplane.problem.Problems;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Cookie;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Authenticates every request to an endpoint marked {@link RequiresScope}: a bearer token (API
 * clients) or the {@value #COOKIE} cookie (the browser after /login), checked against the stored
 * hashes. A run-restricted token may only touch its own run. Anonymous callers may read when
 * {@code mm1.auth.anonymous-read} is true.
 */
@jakarta.inject.Singleton
public class BearerAuthFilter {
  public static final String COOKIE = "mm1_token";
  /** Lookups are cached briefly so ingestion does not pay a query per request; revocation takes effect within this. */
  private static final long CACHE_MILLIS = 10_000;

  private final TokenRepository tokens;
  private final CurrentCaller current;
  private final boolean anonymousRead;
  private final Map<String, CachedCaller> cache = new ConcurrentHashMap<>();

  private record CachedCaller(Optional<Caller> caller, long until) {}

  BearerAuthFilter(TokenRepository tokens, CurrentCaller current,
      @ConfigProperty(name = "mm1.auth.anonymous-read") boolean anonymousRead) {
    this.tokens = tokens;
    this.current = current;
    this.anonymousRead = anonymousRead;
  }

  @ServerRequestFilter
  public Response authenticate(ContainerRequestContext request, ResourceInfo resource) throws SQLException {
    RequiresScope required = resource.getResourceMethod() == null ? null
        : Optional.ofNullable(resource.getResourceMethod().getAnnotation(RequiresScope.class))
            .orElse(resource.getResourceClass().getAnnotation(RequiresScope.class));
    if (required == null) {
      return null;
    }
    String path = request.getUriInfo().getPath();
    boolean page = !path.startsWith("/api/");
    String secret = secret(request);
    if (secret == null) {
      if (required.value() == Scope.READ && anonymousRead) {
        current.set(Caller.ANONYMOUS);
        return null;
      }
      if (page) {
        return Response.seeOther(URI.create("/login?next=" + URLEncoder.encode(path, StandardCharsets.UTF_8))).build();
      }
      return Problems.response(401, "this endpoint needs a bearer token with scope '"
          + required.value().wireName() + "' (header Authorization: Bearer <token>)", path);
    }
    Caller caller = lookup(secret)
        .orElseThrow(() -> ApiException.unauthorized("the bearer token is not valid (unknown, revoked or expired)"));
    if (!caller.has(required.value())) {
      throw ApiException.forbidden("this endpoint needs scope '" + required.value().wireName() + "'; token '"
          + caller.name() + "' has " + caller.scopes().stream().map(Scope::wireName).toList());
    }
    if (caller.runId() != null && required.value() != Scope.READ) {
      String runId = request.getUriInfo().getPathParameters().getFirst("id");
      if (runId == null || !path.startsWith("/api/v1/runs/") || !runId.equals(caller.runId().toString())) {
        throw ApiException.forbidden("token '" + caller.name() + "' may only write to run " + caller.runId());
      }
    }
    current.set(caller);
    return null;
  }

  private Optional<Caller> lookup(String secret) throws SQLException {
    long now = System.currentTimeMillis();
    CachedCaller cached = cache.get(secret);
    if (cached != null && cached.until() > now) {
      return cached.caller();
    }
    Optional<Caller> caller = tokens.authenticate(secret);
    if (cache.size() > 10_000) {
      cache.clear(); // bounded: a flood of invalid tokens cannot grow it
    }
    cache.put(secret, new CachedCaller(caller, now + CACHE_MILLIS));
    return caller;
  }

  /** Forgets cached lookups (after a revocation on this instance). */
  public void forgetCachedTokens() {
    cache.clear();
  }

  private static String secret(ContainerRequestContext request) {
    String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
    if (header != null && header.regionMatches(true, 0, "Bearer ", 0, 7)) {
      String token = header.substring(7).trim();
      return token.isEmpty() ? null : token;
    }
    Cookie cookie = request.getCookies().get(COOKIE);
    return cookie == null || cookie.getValue().isBlank() ? null : cookie.getValue();
  }
}
