package io.deagent.sources.airflow;

import java.util.Optional;

/** The fields of Airflow's TaskInstance record the evidence carries; timestamps as Airflow wrote them. */
public record TaskInstance(
        Optional<String> state,
        int tryNumber,
        Optional<Integer> maxTries,
        Optional<String> hostname,
        Optional<String> operator,
        int mapIndex,
        Optional<String> startDate,
        Optional<String> endDate,
        Optional<String> durationSeconds) {}
