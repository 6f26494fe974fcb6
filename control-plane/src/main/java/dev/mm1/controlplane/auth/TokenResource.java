package dev.mm1.controlplane.auth;

import dev.mm1.api.rest.ApiToken;
import dev.mm1.api.rest.CreateTokenRequest;
import dev.mm1.controlplane.problem.ApiException;
import dev.mm1.controlplane.runs.RunRepository;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.jboss.resteasy.reactive.RestResponse;

/** Token administration (scope admin): create, list, revoke. */
@Path("/api/v1/tokens")
@RequiresScope(Scope.ADMIN)
public class TokenResource {
  private final TokenRepository tokens;
  private final RunRepository runs;
  private final BearerAuthFilter auth;

  TokenResource(TokenRepository tokens, RunRepository runs, BearerAuthFilter auth) {
    this.tokens = tokens;
    this.runs = runs;
    this.auth = auth;
  }

  /** Creates a token; the answer holds its secret, which is never shown again. */
  @POST
  public RestResponse<ApiToken> create(CreateTokenRequest request) throws SQLException {
    if (request == null) {
      throw ApiException.badRequest("the request body is required: {name, scopes, runId?, expiresInDays?}");
    }
    if (request.name() == null || request.name().isBlank() || request.name().length() > 100) {
      throw ApiException.badRequest("name is required (1 to 100 characters)");
    }
    if (request.scopes() == null || request.scopes().isEmpty()) {
      throw ApiException.badRequest("scopes is required: one or more of read, ingest, evals, admin");
    }
    Set<Scope> scopes = EnumSet.noneOf(Scope.class);
    for (int i = 0; i < request.scopes().size(); i++) {
      scopes.add(Scope.parse("scopes[" + i + "]", request.scopes().get(i)));
    }
    Long runId = null;
    if (request.runId() != null) {
      runId = runs.find(request.runId())
          .orElseThrow(() -> ApiException.badRequest("runId: no run with id '" + request.runId() + "'"))
          .id();
      if (scopes.contains(Scope.ADMIN)) {
        throw ApiException.badRequest("scopes: a token restricted to run " + runId + " cannot have scope admin");
      }
    }
    Instant expiresAt = null;
    if (request.expiresInDays() != null) {
      if (request.expiresInDays() < 1) {
        throw ApiException.badRequest("expiresInDays: " + request.expiresInDays() + " is not allowed; use 1 or more, or null for never");
      }
      expiresAt = Instant.now().plus(Duration.ofDays(request.expiresInDays()));
    }
    ApiToken token = tokens.create(request.name(), scopes, runId, expiresAt, TokenRepository.newSecret());
    return RestResponse.status(Response.Status.CREATED, token);
  }

  @GET
  public List<ApiToken> list() throws SQLException {
    return tokens.list();
  }

  @DELETE
  @Path("/{tokenId}")
  public Response revoke(@PathParam("tokenId") String tokenId) throws SQLException {
    long id;
    try {
      id = Long.parseLong(tokenId);
    } catch (NumberFormatException e) {
      throw ApiException.notFound("no token with id '" + tokenId + "'");
    }
    if (!tokens.revoke(id)) {
      throw ApiException.notFound("no token with id '" + tokenId + "'");
    }
    auth.forgetCachedTokens();
    return Response.noContent().build();
  }
}
