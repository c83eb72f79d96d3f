package io.deagent.sources.airflow;

import java.util.List;
import java.util.Optional;

/** The fields of Airflow's DAG record the evidence carries: where its file is and who owns it. */
public record Dag(String dagId, Optional<String> fileloc, List<String> owners) {
    public Dag {
        owners = List.copyOf(owners);
    }
}
