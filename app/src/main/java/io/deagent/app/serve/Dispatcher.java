package io.deagent.app.serve;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.deagent.app.store.IncidentStore;
import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.investigate.Investigator;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/**
 * Takes incidents from the durable queue and investigates them, a few at a time. Several replicas run one
 * each against the same database: the store hands every incident to one worker at a time, a heartbeat
 * keeps the leases of work in progress, and a replica that dies leaves its work to be taken over when the
 * leases run out. On shutdown it stops claiming, lets work in progress finish for a grace period, and gives
 * back the rest.
 */
public final class Dispatcher implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

    /** How the queue behaves; see the README for the environment variables. */
    public record Settings(
            int workers, Duration lease, int maxAttempts, Duration poll, Duration retryAfter, Duration grace) {}

    private final IncidentStore store;
    private final Investigator investigator;
    private final ServiceMetrics metrics;
    private final Clock clock;
    private final Settings settings;
    private final String workerId;
    private final Semaphore slots;
    private final ExecutorService work;
    private final ScheduledExecutorService heartbeat = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "de-agent-heartbeat");
        t.setDaemon(true);
        return t;
    });
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private volatile boolean running;
    private volatile Runnable onOutcome = () -> {};
    private volatile java.util.function.Function<Diagnosis, List<IncidentStore.FollowUp>> followUps = d -> List.of();
    private boolean woken;
    private Thread loop;

    public Dispatcher(
            IncidentStore store,
            Investigator investigator,
            ServiceMetrics metrics,
            Clock clock,
            Settings settings,
            String workerId) {
        this.store = store;
        this.investigator = investigator;
        this.metrics = metrics;
        this.clock = clock;
        this.settings = settings;
        this.workerId = workerId;
        this.slots = new Semaphore(settings.workers());
        // platform threads, one per slot: an investigation is CPU work (reading and classifying a log), and
        // on virtual threads it would hold the few carrier threads that the HTTP door and JDBC also need
        this.work = Executors.newFixedThreadPool(settings.workers(), r -> {
            Thread t = new Thread(r, "de-agent-investigation");
            t.setDaemon(true);
            return t;
        });
    }

    /** Called after an outcome is recorded (the Slack replier wakes up to send it). */
    public void onOutcome(Runnable r) {
        this.onOutcome = r;
    }

    /** What to queue with each outcome (a fix, notifications), in the outcome's transaction. */
    public void followUps(java.util.function.Function<Diagnosis, List<IncidentStore.FollowUp>> f) {
        this.followUps = f;
    }

    public String workerId() {
        return workerId;
    }

    public void start() {
        running = true;
        loop = Thread.ofPlatform().name("de-agent-dispatcher").daemon().start(this::run);
        long every = Math.max(200, settings.lease().toMillis() / 3);
        heartbeat.scheduleAtFixedRate(this::renewLeases, every, every, TimeUnit.MILLISECONDS);
    }

    /** Something was queued here: look now rather than at the next poll. */
    public void wake() {
        lock.lock();
        try {
            woken = true;
            wake.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (running) {
            int free = slots.availablePermits();
            List<IncidentStore.Claim> claims = List.of();
            if (free > 0) {
                try {
                    claims = store.claim(workerId, free, clock.instant(), settings.lease(), settings.maxAttempts());
                } catch (RuntimeException e) {
                    log.warn("cannot read the queue: {}; retrying", e.getMessage());
                }
            }
            for (IncidentStore.Claim c : claims) {
                slots.acquireUninterruptibly();
                work.submit(() -> {
                    try {
                        process(c);
                    } finally {
                        slots.release();
                        wake();
                    }
                });
            }
            if (claims.isEmpty() || slots.availablePermits() == 0) {
                pause();
            }
        }
    }

    private void pause() {
        lock.lock();
        try {
            if (!woken && running) {
                wake.await(settings.poll().toMillis(), TimeUnit.MILLISECONDS);
            }
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    /** Investigates one claimed incident and records the outcome; never throws. */
    public Optional<Diagnosis> process(IncidentStore.Claim claim) {
        MDC.put("correlation_id", claim.correlationId());
        MDC.put("incident_id", String.valueOf(claim.id()));
        try {
            FailureEvent event = FailureEvents.parse(claim.eventJson(), origin(claim.origin()));
            Investigator.Investigation inv =
                    investigator.investigate(event, Investigator.LogFiles.IGNORE, Optional.empty());
            Optional<Diagnosis> done = store.complete(
                    claim,
                    workerId,
                    event,
                    inv.diagnosis(),
                    inv.elapsed().toMillis(),
                    clock.instant(),
                    Optional.of(InvestigationSteps.json(inv)),
                    followUps);
            if (done.isEmpty()) {
                log.info(
                        "incident {} was taken over by another worker before this one finished; its result is dropped",
                        claim.id());
                return done;
            }
            Diagnosis d = done.get();
            onOutcome.run();
            metrics.diagnosed(d.category(), inv.elapsed(), inv.evidence());
            metrics.explained(d.explainedBy(), inv.explanation());
            log.info(
                    "diagnostic_complete",
                    kv("event", "diagnostic_complete"),
                    kv("dag_id", event.dagId()),
                    kv("task_id", event.taskId()),
                    kv("run_id", event.runId().orElse(null)),
                    kv("try_number", event.tryNumber().orElse(null)),
                    kv("category", d.category()),
                    kv("confidence", d.confidence()),
                    kv("signature", d.signature()),
                    kv(
                            "recurrence_seen",
                            d.recurrence().map(Diagnosis.Recurrence::seen).orElse(0)),
                    kv("diagnostic_time_ms", inv.elapsed().toMillis()),
                    kv(
                            "time_to_diagnosis_ms",
                            Duration.between(claim.receivedAt(), clock.instant())
                                    .toMillis()),
                    kv("sources", inv.sourcesCalled()),
                    kv("log_source", inv.logSource()),
                    kv("explained_by", d.explainedBy()),
                    kv(
                            "llm_tokens",
                            inv.explanation().tokensIn() + inv.explanation().tokensOut()),
                    kv("llm_tokens_in", inv.explanation().tokensIn()),
                    kv("llm_tokens_out", inv.explanation().tokensOut()),
                    kv("llm_cost_usd", inv.explanation().costUsd()),
                    kv("llm_cached", inv.explanation().cached()),
                    kv("llm_fallback", inv.explanation().fallbackReason().orElse(null)),
                    kv("attempt", claim.attempts()));
            return done;
        } catch (RuntimeException e) {
            metrics.investigationFailed();
            String error = e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
            log.error("investigation of incident {} failed on attempt {}: {}", claim.id(), claim.attempts(), error, e);
            try {
                store.fail(claim, workerId, error, clock.instant(), settings.maxAttempts(), backoff(claim.attempts()));
            } catch (RuntimeException storeDown) {
                // the lease runs out and another attempt follows: nothing is lost
                log.warn("cannot record the failure of incident {}: {}", claim.id(), storeDown.getMessage());
            }
            return Optional.empty();
        } finally {
            MDC.clear();
        }
    }

    private Duration backoff(int attempt) {
        return settings.retryAfter().multipliedBy(1L << Math.min(6, Math.max(0, attempt - 1)));
    }

    private static FailureEvent.Origin origin(String stored) {
        try {
            return FailureEvent.Origin.valueOf(stored.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            return FailureEvent.Origin.AIRFLOW_WEBHOOK;
        }
    }

    private void renewLeases() {
        try {
            store.renew(workerId, clock.instant().plus(settings.lease()));
        } catch (RuntimeException e) {
            log.warn("cannot renew leases: {}", e.getMessage());
        }
    }

    /** Stops claiming, waits up to the grace period for work in progress, and returns what is left. */
    @Override
    public void close() {
        running = false;
        wake();
        if (loop != null) {
            try {
                loop.join(settings.grace().toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        work.shutdown();
        try {
            if (!work.awaitTermination(settings.grace().toMillis(), TimeUnit.MILLISECONDS)) {
                log.warn(
                        "work still in progress after {} s; returning it to the queue",
                        settings.grace().toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        heartbeat.shutdownNow();
        try {
            int returned = store.release(workerId);
            if (returned > 0) {
                log.info("returned {} incidents to the queue", returned);
            }
        } catch (RuntimeException e) {
            log.warn("cannot return work to the queue ({}); it is taken over when its leases run out", e.getMessage());
        }
        // work still running is not interrupted: an interrupt in the middle of file I/O closes an embedded
        // database for good. Its late result is refused by the store, since the lease is gone.
    }

    /** A readable, unique id for this process's worker: host, pid and a random suffix. */
    public static String newWorkerId() {
        String host = System.getenv().getOrDefault("HOSTNAME", "host");
        return host + "-" + ProcessHandle.current().pid() + "-"
                + java.util.UUID.randomUUID().toString().substring(0, 8);
    }
}
