package io.deagent.core.investigate;

import io.deagent.core.FailureEvent;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Calls every applicable source at once, each on its own virtual thread, and returns what came back by the
 * deadline. A source that overruns its time becomes {@code TIMED_OUT}; one that throws becomes {@code
 * ERROR}; nothing a source does can stop the investigation.
 */
public final class EvidenceCollector {

    private final List<DiagnosticSource> sources;
    private final Duration deadline;
    private final Duration perSource;
    private final long maxBytes;
    private final Clock clock;

    public EvidenceCollector(
            List<DiagnosticSource> sources, Duration deadline, Duration perSource, long maxBytes, Clock clock) {
        this.sources = List.copyOf(sources);
        this.deadline = deadline;
        this.perSource = perSource;
        this.maxBytes = maxBytes;
        this.clock = clock;
    }

    public List<Evidence> collect(FailureEvent event) {
        List<DiagnosticSource> applicable =
                sources.stream().filter(s -> appliesSafely(s, event)).toList();
        if (applicable.isEmpty()) {
            return List.of();
        }
        Instant start = clock.instant();
        // every source gets the same absolute stop: its own limit, cut short by the whole deadline
        Instant stop = min(start.plus(perSource), start.plus(deadline));
        List<Evidence> out = new ArrayList<>();
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            List<Future<Evidence>> futures = new ArrayList<>();
            Budget budget = new Budget(stop, maxBytes, clock);
            for (DiagnosticSource s : applicable) {
                futures.add(pool.submit(() -> s.collect(event, budget)));
            }
            for (int i = 0; i < applicable.size(); i++) {
                DiagnosticSource s = applicable.get(i);
                Future<Evidence> f = futures.get(i);
                out.add(await(s, f, Duration.between(clock.instant(), stop), start));
            }
            // do not wait for stragglers: interrupt them and return what we have
            pool.shutdownNow();
        }
        return out;
    }

    private Evidence await(DiagnosticSource s, Future<Evidence> f, Duration wait, Instant start) {
        try {
            Evidence e = f.get(Math.max(0, wait.toMillis()), TimeUnit.MILLISECONDS);
            return e != null ? e : Evidence.failed(s.id(), Evidence.Status.ERROR, "returned nothing", since(start));
        } catch (TimeoutException e) {
            f.cancel(true);
            return Evidence.failed(
                    s.id(), Evidence.Status.TIMED_OUT, "no answer after " + seconds(since(start)), since(start));
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            return Evidence.failed(
                    s.id(),
                    Evidence.Status.ERROR,
                    cause.getClass().getSimpleName() + (cause.getMessage() == null ? "" : ": " + cause.getMessage()),
                    since(start));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            f.cancel(true);
            return Evidence.failed(s.id(), Evidence.Status.TIMED_OUT, "interrupted", since(start));
        }
    }

    private static Instant min(Instant a, Instant b) {
        return a.isBefore(b) ? a : b;
    }

    private static boolean appliesSafely(DiagnosticSource s, FailureEvent event) {
        try {
            return s.appliesTo(event);
        } catch (RuntimeException e) {
            return false;
        }
    }

    private Duration since(Instant start) {
        return Duration.between(start, clock.instant());
    }

    private static String seconds(Duration d) {
        long ms = d.toMillis();
        return ms < 10_000 ? String.format(Locale.ROOT, "%.1f s", ms / 1000.0) : (ms / 1000) + " s";
    }
}
