package io.deagent.testkit;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/** What a fake received, in arrival order, with a wait for a call that a background task has yet to make. */
final class CallLog<C> {

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition arrived = lock.newCondition();
    private final List<C> calls = new ArrayList<>();

    void add(C call) {
        lock.lock();
        try {
            calls.add(call);
            arrived.signalAll();
        } finally {
            lock.unlock();
        }
    }

    List<C> all() {
        lock.lock();
        try {
            return List.copyOf(calls);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The first call (already received or arriving within {@code timeout}) that matches.
     *
     * @throws AssertionError on timeout, listing the calls that did arrive
     */
    C await(String what, Predicate<? super C> matching, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                for (C c : calls) {
                    if (matching.test(c)) {
                        return c;
                    }
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError(
                            "no matching " + what + " within " + timeout + "; calls seen: " + describe(calls));
                }
                // woken by each new call; the bound only limits how late a timeout is noticed
                arrived.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(10)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted while waiting for " + what, e);
        } finally {
            lock.unlock();
        }
    }

    private static String describe(List<?> calls) {
        if (calls.isEmpty()) {
            return "none";
        }
        StringBuilder out = new StringBuilder();
        for (Object c : calls) {
            out.append("\n  ").append(c);
        }
        return out.toString();
    }
}
