package dev.mm1.controlplane.events;

import dev.mm1.api.rest.RunEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.operators.multi.processors.BroadcastProcessor;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * The live feed of changes for server-sent events. Events are published after the change is
 * committed; a subscriber that misses one (reconnecting) catches up by fetching what it shows.
 * In-process: with several replicas, each one streams the changes it made itself.
 */
@ApplicationScoped
public class RunEvents {
  private final BroadcastProcessor<RunEvent> processor = BroadcastProcessor.create();

  public synchronized void publish(RunEvent event) {
    processor.onNext(event);
  }

  /** Events of one run (or of all runs when runId is null), with a keep-alive every 15 s so proxies keep the stream open. */
  public Multi<RunEvent> stream(String runId) {
    Multi<RunEvent> events = runId == null ? processor : processor.filter(e -> runId.equals(e.runId()));
    Multi<RunEvent> keepAlive = Multi.createFrom().ticks().every(Duration.ofSeconds(15))
        .map(tick -> new RunEvent(null, "keepalive", null, null));
    return Multi.createBy().merging().streams(events, keepAlive);
  }
}
