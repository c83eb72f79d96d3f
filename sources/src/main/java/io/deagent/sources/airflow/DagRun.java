package io.deagent.sources.airflow;

import java.util.Optional;

/** The fields of Airflow's DAGRun record the evidence carries. */
public record DagRun(String runId, Optional<String> state, Optional<String> runType, Optional<String> logicalDate) {}
