package dev.mm1.operator.controlplane;

import dev.mm1.api.rest.CreateRunRequest;
import dev.mm1.api.rest.Run;
import dev.mm1.api.rest.StateTransition;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import dev.mm1.api.rest.EvalResultRecord;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The operator's conversation with the control plane, off the reconcile threads: reconciles read a
 * cached view of each run ({@link #view}) and ask for work (register, refresh progress, report a
 * transition, close); a few background threads do the HTTP calls and tell the resource to be
 * reconciled again when something changed. A control plane that is down or hangs never slows a
 * reconcile; while it is down, calls back off (one probe at a time) instead of each waiting for
 * its timeout, and every transition waits in order until it is recorded.
 */
public final class ControlPlaneSync implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(ControlPlaneSync.class);
  static final Duration FIRST_BACKOFF = Duration.ofMillis(250);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(15);

  /** What the reconciler knows of a resource's run, at no cost. */
  public record View(Optional<String> runId, Optional<Run> run, Optional<String> error, int pendingTransitions, boolean closed) {}

  private final class Entry {
    String runId;
    Run run;
    String error;
    Instant polledAt = Instant.EPOCH;
    boolean registering;
    boolean polling;
    boolean sending;
    boolean closed;
    Supplier<CreateRunRequest> request;
    Runnable onChange = () -> {};
    final Deque<StateTransition> transitions = new ArrayDeque<>();

    synchronized View view() {
      return new View(Optional.ofNullable(runId), Optional.ofNullable(run), Optional.ofNullable(error), transitions.size(), closed);
    }
  }

  private final ControlPlaneClient client;
  private final Duration progressInterval;
  private final Clock clock;
  private final ScheduledExecutorService executor;
  private final Map<String, Entry> entries = new ConcurrentHashMap<>();
  private volatile Instant downUntil = Instant.EPOCH;
  /** What the last call that found the control plane unreachable said. */
  private volatile String downError;
  private volatile Duration backoff = FIRST_BACKOFF;

  public ControlPlaneSync(ControlPlaneClient client, Duration progressInterval, Clock clock) {
    this.client = client;
    this.progressInterval = progressInterval;
    this.clock = clock;
    this.executor = Executors.newScheduledThreadPool(4, Thread.ofPlatform().name("mm1-control-plane-", 0).daemon().factory());
  }

  public boolean configured() {
    return client.configured();
  }

  public String url() {
    return client.url();
  }

  /** The cached view of the run of the resource with {@code uid}. */
  public View view(String uid) {
    var entry = entries.get(uid);
    return entry == null ? new View(Optional.empty(), Optional.empty(), Optional.empty(), 0, false) : entry.view();
  }

  /**
   * Makes sure the run exists: {@code knownRunId} (from status) is taken as registered; otherwise
   * the run is registered in the background, idempotently on the request's externalId, and
   * {@code onChange} is called once it is. Progress is refreshed every progress interval.
   */
  public void track(String uid, String knownRunId, Supplier<CreateRunRequest> request, Runnable onChange) {
    var entry = entries.computeIfAbsent(uid, u -> new Entry());
    boolean register;
    boolean poll;
    synchronized (entry) {
      entry.onChange = onChange;
      entry.request = request;
      if (entry.runId == null && knownRunId != null) {
        entry.runId = knownRunId;
      }
      register = entry.runId == null && !entry.registering;
      entry.registering |= register;
      poll = entry.runId != null && !entry.polling && !entry.polledAt.plus(progressInterval).isAfter(clock.instant());
      entry.polling |= poll;
    }
    if (register) {
      submit(uid, entry, Call.REGISTER);
    }
    if (poll) {
      submit(uid, entry, Call.POLL);
    }
  }

  /** Queues a state transition; it is sent once the run is registered and retried until recorded. */
  public void report(String uid, StateTransition transition) {
    var entry = entries.computeIfAbsent(uid, u -> new Entry());
    boolean send;
    synchronized (entry) {
      if (!entry.transitions.isEmpty() && entry.transitions.peekLast().state() == transition.state()) {
        return;
      }
      entry.transitions.addLast(transition);
      send = entry.runId != null && !entry.sending;
      entry.sending |= send;
    }
    if (send) {
      submit(uid, entry, Call.SEND);
    }
  }

  /**
   * An eval run's results, read once when its evaluator finished: called on the reconcile thread,
   * but with the client's short timeout, and not at all while the control plane is known to be down.
   */
  public List<EvalResultRecord> results(String runId) throws ControlPlaneException {
    if (clock.instant().isBefore(downUntil)) {
      throw new ControlPlaneException("control plane " + client.url() + " is down; trying again shortly");
    }
    try {
      return client.results(runId);
    } catch (ControlPlaneException e) {
      if (e.unreachable()) {
        downUntil = clock.instant().plus(backoff);
      }
      throw e;
    }
  }

  /** Forgets a deleted resource's run. */
  public void forget(String uid) {
    entries.remove(uid);
  }

  /** The calls made for an entry; each returns whether the entry changed in a way the reconciler should see. */
  private enum Call { REGISTER, POLL, SEND }

  private boolean call(Call call, String uid, Entry entry) throws ControlPlaneException {
    return switch (call) {
      case REGISTER -> register(uid, entry);
      case POLL -> poll(uid, entry);
      case SEND -> send(uid, entry);
    };
  }

  private void submit(String uid, Entry entry, Call call) {
    var wait = Duration.between(clock.instant(), downUntil);
    Runnable task = () -> attempt(uid, entry, call);
    if (wait.isNegative() || wait.isZero()) {
      executor.execute(task);
    } else {
      executor.schedule(task, wait.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private void attempt(String uid, Entry entry, Call call) {
    if (clock.instant().isBefore(downUntil)) {
      // Another call found it down meanwhile: wait for the next probe. This resource's status says
      // so now; while other resources keep probing, its own call may not be the one that fails.
      boolean changed;
      synchronized (entry) {
        var known = downError;
        changed = known != null && !known.equals(entry.error);
        if (changed) {
          entry.error = known;
        }
      }
      if (changed) {
        entry.onChange.run();
      }
      submit(uid, entry, call);
      return;
    }
    boolean changed;
    try {
      changed = call(call, uid, entry);
      backoff = FIRST_BACKOFF;
      synchronized (entry) {
        changed |= entry.error != null;
        entry.error = null;
      }
    } catch (ControlPlaneException e) {
      boolean unreachable = e.unreachable();
      if (unreachable) {
        downError = e.getMessage();
        var next = backoff.multipliedBy(2);
        backoff = next.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next;
        downUntil = clock.instant().plus(backoff);
      }
      synchronized (entry) {
        changed = !e.getMessage().equals(entry.error);
        entry.error = e.getMessage();
      }
      if (unreachable || e.retryable()) {
        submit(uid, entry, call);
      } else {
        LOG.warnf("control plane refused a call for %s: %s", uid, e.getMessage());
        done(entry, call);
      }
    } catch (RuntimeException e) {
      LOG.errorf(e, "control plane call for %s failed", uid);
      done(entry, call);
      changed = false;
    }
    if (changed) {
      entry.onChange.run();
    }
  }

  /** A call given up on: clear its in-flight flag so the next reconcile may ask again; a refused transition is dropped. */
  private void done(Entry entry, Call call) {
    boolean more = false;
    synchronized (entry) {
      switch (call) {
        case REGISTER -> entry.registering = false;
        case POLL -> entry.polling = false;
        case SEND -> {
          if (!entry.transitions.isEmpty()) {
            entry.transitions.removeFirst();
          }
          more = !entry.transitions.isEmpty();
          entry.sending = more;
        }
      }
    }
    if (more) {
      executor.execute(() -> attempt(null, entry, Call.SEND));
    }
  }

  private boolean register(String uid, Entry entry) throws ControlPlaneException {
    Supplier<CreateRunRequest> request;
    synchronized (entry) {
      request = entry.request;
    }
    var run = client.register(request.get());
    boolean send;
    synchronized (entry) {
      entry.runId = run.id();
      entry.run = run;
      entry.polledAt = clock.instant();
      entry.registering = false;
      send = !entry.transitions.isEmpty() && !entry.sending;
      entry.sending |= send;
    }
    if (send) {
      submit(uid, entry, Call.SEND);
    }
    return true;
  }

  private boolean poll(String uid, Entry entry) throws ControlPlaneException {
    String runId;
    synchronized (entry) {
      runId = entry.runId;
    }
    var run = client.run(runId);
    synchronized (entry) {
      boolean changed = entry.run == null || !run.equals(entry.run);
      entry.run = run;
      entry.polledAt = clock.instant();
      entry.polling = false;
      return changed;
    }
  }

  private boolean send(String uid, Entry entry) throws ControlPlaneException {
    String runId;
    StateTransition next;
    synchronized (entry) {
      runId = entry.runId;
      next = entry.transitions.peekFirst();
      if (next == null) {
        entry.sending = false;
        return false;
      }
    }
    try {
      client.transition(runId, next);
    } catch (ControlPlaneException e) {
      if (!e.finalState()) {
        throw e;
      }
      // The run already ended (a retry after a lost answer, or a CI job closed it): nothing to record.
    }
    boolean more;
    synchronized (entry) {
      entry.transitions.removeFirst();
      entry.closed |= next.state().isFinal();
      more = !entry.transitions.isEmpty();
      entry.sending = more;
    }
    if (more) {
      submit(uid, entry, Call.SEND);
    }
    return true;
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }
}
