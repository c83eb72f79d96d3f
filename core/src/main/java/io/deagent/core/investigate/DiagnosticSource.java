package io.deagent.core.investigate;

import io.deagent.core.FailureEvent;

/**
 * Fetches evidence about a failure. Sources do I/O and never judge; rules judge and never do I/O. A source
 * never throws for a remote failure: it returns {@link Evidence} with a status and an error that names the
 * request.
 */
public interface DiagnosticSource {

    /** A short stable id, used in reports and metrics ({@code airflow}, {@code cloudwatch}, …). */
    String id();

    /** Whether this source has anything to say about the event (configured, right kind of task). */
    boolean appliesTo(FailureEvent event);

    /** Collects evidence within the budget. */
    Evidence collect(FailureEvent event, Budget budget);
}
