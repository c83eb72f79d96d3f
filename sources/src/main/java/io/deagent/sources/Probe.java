package io.deagent.sources;

import java.time.Duration;

/** A source that can say, for {@code de-agent doctor}, whether it is reachable, authenticated and permitted. */
public interface Probe {

    /** One line's worth: ok or not, and what was checked or what to fix. Never throws. */
    Result probe(Duration timeout);

    record Result(boolean ok, String name, String detail) {}
}
