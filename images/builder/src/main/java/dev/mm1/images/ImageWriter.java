package dev.mm1.images;

import com.google.cloud.tools.jib.api.CacheDirectoryCreationException;
import com.google.cloud.tools.jib.api.Containerizer;
import com.google.cloud.tools.jib.api.ImageReference;
import com.google.cloud.tools.jib.api.InvalidImageReferenceException;
import com.google.cloud.tools.jib.api.Jib;
import com.google.cloud.tools.jib.api.JibContainerBuilder;
import com.google.cloud.tools.jib.api.LogEvent;
import com.google.cloud.tools.jib.api.RegistryException;
import com.google.cloud.tools.jib.api.RegistryImage;
import com.google.cloud.tools.jib.api.RegistryUnauthorizedException;
import com.google.cloud.tools.jib.api.TarImage;
import com.google.cloud.tools.jib.api.buildplan.AbsoluteUnixPath;
import com.google.cloud.tools.jib.api.buildplan.FileEntriesLayer;
import com.google.cloud.tools.jib.api.buildplan.FileEntry;
import com.google.cloud.tools.jib.api.buildplan.FilePermissions;
import com.google.cloud.tools.jib.api.buildplan.ImageFormat;
import com.google.cloud.tools.jib.api.buildplan.Platform;
import com.google.cloud.tools.jib.api.buildplan.Port;
import com.google.cloud.tools.jib.frontend.CredentialRetrieverFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.function.Consumer;

/**
 * Builds an {@link ImageRecipe} on a {@link BaseImage} with Jib (no Docker daemon) into an OCI
 * tarball, and pushes it when a registry is given. Every input that Jib would otherwise take from
 * the clock or the file system is fixed (creation time, file times, ownership, modes, entry
 * order), so the same inputs make the same digest.
 */
final class ImageWriter {
  private final BaseImage base;
  private final TargetPlatform platform;
  private final Labels labels;
  private final Path cache;
  private final boolean offline;
  private final Consumer<String> log;

  /**
   * The OCI labels every image carries.
   *
   * @param version the project version
   * @param revision the source revision (git commit)
   * @param source the repository URL
   */
  record Labels(String version, String revision, String source) {}

  /**
   * A built image.
   *
   * @param recipe what it was built from
   * @param reference its name, {@code REGISTRY/NAME:TAG}
   * @param tarball the OCI tarball
   * @param archive the tarball's manifest digest, config and layers
   * @param baseLayers how many of the layers come from the base
   * @param pushedTo where it was pushed, or null
   */
  record Built(ImageRecipe recipe, String reference, Path tarball, OciArchive archive, int baseLayers, String pushedTo) {
    /** The recipe's non-empty layers, in the order they follow the base's. */
    List<ImageRecipe.Layer> ownLayers() {
      return recipe.layers().stream().filter(l -> !l.entries().isEmpty()).toList();
    }

    /** Compressed bytes of the layers that change when only our classes change. */
    long ourBytes() {
      var layers = ownLayers();
      long bytes = 0;
      for (int i = 0; i < layers.size(); i++) {
        if (layers.get(i).ours()) {
          bytes += archive.layers().get(baseLayers + i).size();
        }
      }
      return bytes;
    }
  }

  ImageWriter(BaseImage base, TargetPlatform platform, Labels labels, Path cache, boolean offline, Consumer<String> log) {
    this.base = base;
    this.platform = platform;
    this.labels = labels;
    this.cache = cache;
    this.offline = offline;
    this.log = log;
  }

  /** Builds {@code recipe} as {@code reference} into {@code tarball}; pushes it as {@code pushReference} unless null. */
  Built build(ImageRecipe recipe, String reference, Path tarball, String pushReference) {
    var partial = tarball.resolveSibling(tarball.getFileName() + ".partial");
    try {
      Files.createDirectories(tarball.getParent());
      containerize(builder(recipe), Containerizer.to(TarImage.at(partial).named(reference)), "write " + reference);
      Files.move(partial, tarball, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + tarball, e);
    } catch (InvalidImageReferenceException e) {
      throw ImageBuildException.invalid("'" + reference + "' is not a valid image name");
    }
    var archive = OciArchive.read(tarball);
    var architecture = archive.config().path("architecture").asText();
    var os = archive.config().path("os").asText();
    if (!platform.equals(new TargetPlatform(os, architecture))) {
      throw ImageBuildException.invalid("the base image " + base.labelName() + " is for " + os + "/" + architecture
          + ", but the images are built for " + platform + "; pick a base for " + platform + " (-Dmm1.base) or build for "
          + os + "/" + architecture + " (-Dmm1.platform)");
    }
    var ownLayers = recipe.layers().stream().filter(l -> !l.entries().isEmpty()).count();
    var baseLayers = archive.layers().size() - (int) ownLayers;
    String pushed = null;
    if (pushReference != null) {
      push(recipe, pushReference);
      pushed = pushReference;
    }
    return new Built(recipe, reference, tarball, archive, baseLayers, pushed);
  }

  private void push(ImageRecipe recipe, String pushReference) {
    ImageReference target;
    try {
      target = ImageReference.parse(pushReference);
    } catch (InvalidImageReferenceException e) {
      throw ImageBuildException.invalid("'" + pushReference + "' (from -Dmm1.registry) is not a valid image name");
    }
    BaseImage.Registries.requireReachable(target.getRegistry(), "-Dmm1.registry names " + target.getRegistry() + ", which",
        "Check the name and the network, or leave -Dmm1.registry out to write the tarballs only.");
    var registryImage = RegistryImage.named(target);
    var credentials = CredentialRetrieverFactory.forImage(target, this::jibLog);
    registryImage.addCredentialRetriever(credentials.wellKnownCredentialHelpers());
    registryImage.addCredentialRetriever(credentials.dockerConfig());
    try {
      containerize(builder(recipe), Containerizer.to(registryImage), "push " + pushReference);
    } catch (InvalidImageReferenceException e) {
      throw ImageBuildException.invalid("'" + pushReference + "' is not a valid image name");
    }
  }

  private JibContainerBuilder builder(ImageRecipe recipe) throws InvalidImageReferenceException {
    JibContainerBuilder builder;
    if (base instanceof BaseImage.Registry registry) {
      var image = RegistryImage.named(registry.reference());
      var credentials = CredentialRetrieverFactory.forImage(registry.reference(), this::jibLog);
      image.addCredentialRetriever(credentials.wellKnownCredentialHelpers());
      image.addCredentialRetriever(credentials.dockerConfig());
      builder = Jib.from(image);
    } else {
      builder = Jib.from(base.jibReference());
    }
    for (var layer : recipe.layers()) {
      if (layer.entries().isEmpty()) {
        continue;
      }
      var files = FileEntriesLayer.builder().setName(layer.name());
      for (var entry : layer.entries()) {
        files.addEntry(new FileEntry(entry.source(), AbsoluteUnixPath.get(entry.target()),
            FilePermissions.fromOctalString(entry.mode()), FileEntriesLayer.DEFAULT_MODIFICATION_TIME, entry.ownership()));
      }
      builder.addFileEntriesLayer(files.build());
    }
    var imageLabels = new LinkedHashMap<String, String>();
    imageLabels.put("org.opencontainers.image.title", recipe.title());
    imageLabels.put("org.opencontainers.image.description", recipe.description());
    imageLabels.put("org.opencontainers.image.source", labels.source());
    imageLabels.put("org.opencontainers.image.url", labels.source());
    imageLabels.put("org.opencontainers.image.version", labels.version());
    imageLabels.put("org.opencontainers.image.revision", labels.revision());
    imageLabels.put("org.opencontainers.image.base.name", base.labelName());
    var ports = new java.util.LinkedHashSet<Port>();
    recipe.ports().forEach(p -> ports.add(Port.tcp(p)));
    return builder
        .setFormat(ImageFormat.OCI)
        .setPlatforms(Set.of(new Platform(platform.architecture(), platform.os())))
        .setCreationTime(Instant.EPOCH)
        .setUser(ImageRecipe.USER)
        .setWorkingDirectory(AbsoluteUnixPath.get(recipe.workingDirectory()))
        .setEntrypoint(recipe.entrypoint())
        .setProgramArguments(recipe.command())
        .setEnvironment(recipe.environment())
        .setExposedPorts(ports)
        .setLabels(imageLabels);
  }

  private void containerize(JibContainerBuilder builder, Containerizer containerizer, String what) {
    containerizer
        .setToolName("mm1-image-builder")
        .setOfflineMode(offline)
        .setBaseImageLayersCache(cache.resolve("base"))
        .setApplicationLayersCache(cache.resolve("application"))
        .addEventHandler(LogEvent.class, this::jibLog);
    try {
      builder.containerize(containerizer);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ImageBuildException(1, "interrupted while Jib was about to " + what);
    } catch (ExecutionException | RegistryException | IOException | CacheDirectoryCreationException e) {
      throw explain(e, what);
    }
  }

  /** One sentence for what went wrong, from the cause Jib wraps. */
  private ImageBuildException explain(Exception e, String what) {
    var causes = new ArrayList<Throwable>();
    for (Throwable t = e; t != null && !causes.contains(t); t = t.getCause()) {
      causes.add(t);
    }
    for (var cause : causes) {
      if (cause instanceof ImageBuildException known) {
        return known;
      }
      if (cause instanceof RegistryUnauthorizedException unauthorized) {
        return new ImageBuildException(ImageBuildException.REGISTRY, "the registry refused the credentials for "
            + unauthorized.getImageReference() + " (while trying to " + what + "): log in with docker login REGISTRY"
            + " (Jib reads ~/.docker/config.json and credential helpers)");
      }
      if (cause instanceof UnknownHostException || cause instanceof ConnectException
          || cause instanceof SocketTimeoutException) {
        return new ImageBuildException(ImageBuildException.REGISTRY, "cannot " + what + ": " + cause.getMessage()
            + " (a registry is not reachable from this machine)");
      }
      if (cause.getClass().getSimpleName().equals("PlatformNotFoundInBaseImageException")) {
        return ImageBuildException.invalid("cannot " + what + ": " + cause.getMessage() + "; pick a base for " + platform
            + " (-Dmm1.base) or another platform (-Dmm1.platform)");
      }
    }
    var root = causes.get(causes.size() - 1);
    if (offline && String.valueOf(root.getMessage()).contains("offline")) {
      return ImageBuildException.invalid("cannot " + what + " offline: " + root.getMessage() + "; build once online, or use"
          + " a base tarball (-Dmm1.base=tar://...)");
    }
    return new ImageBuildException(1, "cannot " + what + ": " + root.getClass().getSimpleName() + ": " + root.getMessage(), e);
  }

  private void jibLog(LogEvent event) {
    if (event.getLevel() == LogEvent.Level.ERROR || event.getLevel() == LogEvent.Level.WARN) {
      log.accept("jib: " + event.getMessage());
    }
  }
}
