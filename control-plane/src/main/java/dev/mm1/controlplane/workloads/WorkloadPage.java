package dev.mm1.controlplane.workloads;

import dev.mm1.controlplane.auth.CurrentCaller;
import dev.mm1.controlplane.auth.RequiresScope;
import dev.mm1.controlplane.auth.Scope;
import dev.mm1.controlplane.problem.ApiException;
import io.quarkus.qute.CheckedTemplate;
import io.quarkus.qute.TemplateData;
import io.quarkus.qute.TemplateInstance;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.FormParam;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The UI's workload page: the trainings and evals of the cluster with their phase, and the actions
 * on them: start one from a spec (pasted, or a sample loaded into the form), suspend or resume a
 * training, delete one. Starting, suspending or deleting a training needs the admin scope; an
 * eval, the evals scope (which admin implies). The spec goes to the Kubernetes API as kubectl
 * would send it, so a bad one is refused with the API server's message, naming the field.
 */
@Path("/workloads")
@Produces(MediaType.TEXT_HTML)
@TemplateData(target = WorkloadService.Workload.class)
public class WorkloadPage {
  private final WorkloadService workloads;
  private final CurrentCaller caller;

  WorkloadPage(WorkloadService workloads, CurrentCaller caller) {
    this.workloads = workloads;
    this.caller = caller;
  }

  @CheckedTemplate
  static class Templates {
    static native TemplateInstance workloads(List<WorkloadService.Workload> workloads, List<String> samples, String spec, String namespace,
        String notice, String error, boolean canTrain, boolean canEval);
  }

  @GET
  @RequiresScope(Scope.READ)
  public TemplateInstance page(@QueryParam("sample") String sample, @QueryParam("notice") String notice) {
    String spec = "";
    String error = null;
    if (sample != null && !sample.isBlank()) {
      try {
        spec = workloads.sample(sample);
      } catch (ApiException e) {
        error = e.getMessage();
      }
    }
    return render(spec, "", notice, error);
  }

  @POST
  @Consumes(MediaType.APPLICATION_FORM_URLENCODED)
  @RequiresScope(Scope.EVALS)
  public Response start(@FormParam("spec") String spec, @FormParam("namespace") String namespace) {
    try {
      allowed(workloads.kindOf(spec));
      var started = workloads.start(spec, namespace);
      return done("started " + started);
    } catch (ApiException e) {
      return Response.status(e.status()).entity(render(spec, namespace, null, e.getMessage())).build();
    }
  }

  @POST
  @Path("MM1Training/{namespace}/{name}/suspend")
  @RequiresScope(Scope.ADMIN)
  public Response suspend(@PathParam("namespace") String namespace, @PathParam("name") String name, @FormParam("suspend") boolean suspend) {
    try {
      workloads.suspend(namespace, name, suspend);
      return done((suspend ? "suspended " : "resumed ") + "MM1Training " + namespace + "/" + name);
    } catch (ApiException e) {
      return Response.status(e.status()).entity(render("", "", null, e.getMessage())).build();
    }
  }

  @POST
  @Path("{kind}/{namespace}/{name}/delete")
  @RequiresScope(Scope.EVALS)
  public Response delete(@PathParam("kind") String kind, @PathParam("namespace") String namespace, @PathParam("name") String name) {
    try {
      allowed(kind);
      workloads.delete(kind, namespace, name);
      return done("deleted " + kind + " " + namespace + "/" + name);
    } catch (ApiException e) {
      return Response.status(e.status()).entity(render("", "", null, e.getMessage())).build();
    }
  }

  /** Trainings take the admin scope, evals the evals scope. */
  private void allowed(String kind) {
    var who = caller.get();
    if ("MM1Training".equals(kind) && !who.has(Scope.ADMIN)) {
      throw ApiException.forbidden("starting, suspending or deleting an MM1Training needs scope 'admin'; token '" + who.name()
          + "' has " + who.scopes().stream().map(Scope::wireName).toList());
    }
  }

  private TemplateInstance render(String spec, String namespace, String notice, String error) {
    var who = caller.get();
    return Templates.workloads(workloads.list(), workloads.samples(), spec == null ? "" : spec, namespace == null ? "" : namespace,
        notice, error, who.has(Scope.ADMIN), who.has(Scope.EVALS));
  }

  private static Response done(String notice) {
    return Response.seeOther(URI.create("/workloads?notice=" + URLEncoder.encode(notice, StandardCharsets.UTF_8))).build();
  }
}
