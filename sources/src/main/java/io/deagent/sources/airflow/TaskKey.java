package io.deagent.sources.airflow;

import java.util.Objects;

/**
 * Which task instance: DAG, run, task and map index ({@code -1} when the task is not mapped).
 */
public record TaskKey(String dagId, String runId, String taskId, int mapIndex) {

    public TaskKey {
        Objects.requireNonNull(dagId, "dagId");
        Objects.requireNonNull(runId, "runId");
        Objects.requireNonNull(taskId, "taskId");
    }

    public static TaskKey of(String dagId, String runId, String taskId) {
        return new TaskKey(dagId, runId, taskId, -1);
    }

    public boolean mapped() {
        return mapIndex >= 0;
    }
}
