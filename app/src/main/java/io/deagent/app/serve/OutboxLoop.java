package io.deagent.app.serve;

import io.deagent.app.store.Outbox;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The loop every outbox sender runs on its own thread: take what is due, send it, and when nothing is due
 * wait for a {@link #wake()} or the poll interval. A store that does not answer is logged and tried again.
 */
final class OutboxLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(OutboxLoop.class);

    private final String name;
    private final Duration poll;
    private final Supplier<List<Outbox.Pending>> claim;
    private final Consumer<Outbox.Pending> send;
    private final Duration stopWait;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition wake = lock.newCondition();
    private boolean woken;
    private volatile boolean running;
    private Thread thread;

    /**
     * @param claim takes the rows due now (leased to this sender)
     * @param send sends one row and records the outcome; must not throw
     * @param stopWait how long {@link #close()} waits for a send in progress
     */
    OutboxLoop(
            String name,
            Duration poll,
            Supplier<List<Outbox.Pending>> claim,
            Consumer<Outbox.Pending> send,
            Duration stopWait) {
        this.name = name;
        this.poll = poll;
        this.claim = claim;
        this.send = send;
        this.stopWait = stopWait;
    }

    void start() {
        running = true;
        thread = Thread.ofPlatform().name(name).daemon().start(this::run);
    }

    /** Something was queued: look now rather than at the next poll. */
    void wake() {
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
            List<Outbox.Pending> due = List.of();
            try {
                due = claim.get();
            } catch (RuntimeException e) {
                log.warn("{}: cannot read the outbox: {}; retrying", name, e.getMessage());
            }
            for (Outbox.Pending p : due) {
                send.accept(p);
            }
            if (due.isEmpty()) {
                pause();
            }
        }
    }

    private void pause() {
        lock.lock();
        try {
            if (!woken && running) {
                wake.await(poll.toMillis(), TimeUnit.MILLISECONDS);
            }
            woken = false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        running = false;
        wake();
        if (thread != null) {
            try {
                thread.join(stopWait.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
