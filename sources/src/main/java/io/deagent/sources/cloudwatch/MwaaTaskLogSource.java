package io.deagent.sources.cloudwatch;

import io.deagent.core.FailureEvent;
import io.deagent.core.investigate.Budget;
import io.deagent.core.investigate.DiagnosticSource;
import io.deagent.core.investigate.Evidence;
import io.deagent.core.investigate.Evidence.Status;
import io.deagent.sources.Probe;
import io.deagent.sources.SourceException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;

/**
 * The task log of the failed try, read from the MWAA task log group in CloudWatch Logs ({@code
 * airflow-<env>-Task}). The stream is named by Airflow's log template, which changed over versions, and the try
 * number in a failure event can be one too high; so the source tries the current naming, then the old one, then
 * both for the previous try, and reports every stream it tried when none has the log.
 *
 * <p>Only the end of the log is kept within the byte cap (see {@link StreamTail}).
 */
public final class MwaaTaskLogSource implements DiagnosticSource, Probe {

    public static final String ID = "cloudwatch";

    /** A stream no task writes to: reading it proves access to the group without reading anyone's log. */
    static final String PROBE_STREAM = "de-agent-doctor/probe.log";

    /** Airflow's CloudWatch handler reads a finished task's stream up to its end date plus 30 s; so do we. */
    static final Duration END_DATE_SLACK = Duration.ofSeconds(30);

    private final String logGroup;
    private final String region;
    private final CloudWatchLogsClient client;

    public MwaaTaskLogSource(String logGroup, String region, CloudWatchLogsClient client) {
        this.logGroup = logGroup;
        this.region = region;
        this.client = client;
    }

    /** The source with the production client (default credential chain); empty when no task log group is set. */
    public static Optional<MwaaTaskLogSource> from(CloudWatchSettings settings) {
        return settings.taskLogGroup()
                .map(group -> new MwaaTaskLogSource(group, settings.region(), LogsCalls.client(settings)));
    }

    public String logGroup() {
        return logGroup;
    }

    @Override
    public String id() {
        return ID;
    }

    /** When the event names a run or a logical date; without either no stream name can be built. */
    @Override
    public boolean appliesTo(FailureEvent event) {
        return !TaskLogStreams.candidates(event).isEmpty();
    }

    @Override
    public Evidence collect(FailureEvent event, Budget budget) {
        Clock clock = budget.clock();
        Instant start = clock.instant();
        List<TaskLogStreams.Candidate> candidates = TaskLogStreams.candidates(event);
        if (candidates.isEmpty()) {
            return failure(
                    Status.NO_DATA,
                    "the event has no run_id or logical_date, so no log stream of " + logGroup + " can be named",
                    "GetLogEvents logGroupName=" + logGroup,
                    since(start, clock));
        }
        Optional<Instant> endTime = endTime(event);
        List<String> tried = new ArrayList<>();
        String notFound = "";
        for (TaskLogStreams.Candidate c : candidates) {
            try {
                StreamTail.Result tail = StreamTail.read(client, logGroup, c.name(), endTime, budget);
                if (tail.events() > 0) {
                    return found(c, tail, endTime, since(start, clock));
                }
                tried.add(c.name() + " (empty)");
            } catch (SourceException.NotFound e) {
                tried.add(c.name() + " (not found)");
                notFound = e.getMessage();
            } catch (SourceException.Forbidden e) {
                return failure(
                        Status.ERROR,
                        "needs logs:GetLogEvents on " + LogsCalls.logGroupArn(region, logGroup) + ": " + e.getMessage(),
                        query(c.name(), endTime),
                        since(start, clock));
            } catch (SourceException.TimedOut e) {
                return failure(
                        Status.TIMED_OUT,
                        e.getMessage() + triedSoFar(tried),
                        query(c.name(), endTime),
                        since(start, clock));
            } catch (SourceException e) {
                return failure(
                        Status.ERROR,
                        e.getMessage() + triedSoFar(tried),
                        query(c.name(), endTime),
                        since(start, clock));
            }
        }
        String lastWords = notFound.isEmpty() ? "" : "; last answer: " + notFound;
        return failure(
                Status.NO_DATA,
                "no task log in log group " + logGroup + "; tried streams " + String.join(", ", tried) + lastWords,
                "GetLogEvents logGroupName=" + logGroup + " logStreamName in ["
                        + String.join(
                                ", ",
                                candidates.stream()
                                        .map(TaskLogStreams.Candidate::name)
                                        .toList()) + "]",
                since(start, clock));
    }

    /**
     * Reads a stream nobody writes: "log stream does not exist" means the group is there and readable. AWS
     * answers a missing group with the same error code and only the message tells them apart, so the message is
     * read here (only here: the investigation itself treats both as "no log").
     */
    @Override
    public Result probe(Duration timeout) {
        Budget budget = new Budget(Instant.now().plus(timeout), 1, Clock.systemUTC());
        String what = "GetLogEvents logGroupName=" + logGroup + " logStreamName=" + PROBE_STREAM;
        try {
            LogsCalls.call(
                    budget,
                    what,
                    o -> client.getLogEvents(r -> r.logGroupName(logGroup)
                            .logStreamName(PROBE_STREAM)
                            .limit(1)
                            .overrideConfiguration(o)));
            return new Result(true, ID, "log group " + logGroup + " readable");
        } catch (SourceException.NotFound e) {
            if (e.getMessage().toLowerCase(Locale.ROOT).contains("log group")) {
                return new Result(
                        false,
                        ID,
                        "log group " + logGroup + " does not exist (check MWAA_ENVIRONMENT or"
                                + " DE_AGENT_TASK_LOG_GROUP, and AWS_REGION " + region + "): " + e.getMessage());
            }
            return new Result(true, ID, "log group " + logGroup + " readable (logs:GetLogEvents allowed)");
        } catch (SourceException.Forbidden e) {
            return new Result(
                    false,
                    ID,
                    "needs logs:GetLogEvents on " + LogsCalls.logGroupArn(region, logGroup) + ": " + e.getMessage());
        } catch (SourceException e) {
            return new Result(false, ID, e.getMessage());
        }
    }

    private Evidence found(
            TaskLogStreams.Candidate c, StreamTail.Result tail, Optional<Instant> endTime, Duration elapsed) {
        Map<String, String> facts = new LinkedHashMap<>();
        facts.put("cloudwatch.log_group", logGroup);
        facts.put("cloudwatch.log_stream", c.name());
        facts.put("cloudwatch.events", String.valueOf(tail.events()));
        facts.put("cloudwatch.truncated", String.valueOf(tail.truncated()));
        facts.put("cloudwatch.attempt", String.valueOf(c.attempt()));
        facts.put("cloudwatch.log_template", c.naming().name().toLowerCase(Locale.ROOT));
        if (tail.stop() == StreamTail.Stop.DEADLINE) {
            facts.put("cloudwatch.stopped_by", "deadline");
        }
        return new Evidence(
                ID,
                Status.OK,
                Optional.of(tail.text()),
                Collections.unmodifiableMap(facts),
                Optional.of(query(c.name(), endTime)),
                Optional.empty(),
                elapsed,
                Optional.of(ConsoleLinks.logStream(region, logGroup, c.name())));
    }

    private Evidence failure(Status status, String error, String query, Duration elapsed) {
        return new Evidence(
                ID,
                status,
                Optional.empty(),
                Map.of("cloudwatch.log_group", logGroup),
                Optional.of(query),
                Optional.of(error),
                elapsed,
                Optional.empty());
    }

    private String query(String stream, Optional<Instant> endTime) {
        return "GetLogEvents logGroupName=" + logGroup + " logStreamName=" + stream + " startFromHead=false"
                + endTime.map(t -> " endTime=" + t).orElse("");
    }

    private static String triedSoFar(List<String> tried) {
        return tried.isEmpty() ? "" : " (before that, tried " + String.join(", ", tried) + ")";
    }

    /** The try's end ({@code end_date} in the payload) plus slack, when the event carries it. */
    static Optional<Instant> endTime(FailureEvent event) {
        return event.raw().get("end_date") instanceof String s
                ? TaskLogStreams.parse(s).map(t -> t.toInstant().plus(END_DATE_SLACK))
                : Optional.empty();
    }

    private static Duration since(Instant start, Clock clock) {
        return Duration.between(start, clock.instant());
    }
}
