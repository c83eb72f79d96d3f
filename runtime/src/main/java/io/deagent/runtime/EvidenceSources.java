package io.deagent.runtime;

import io.deagent.core.investigate.DiagnosticSource;
import io.deagent.sources.Probe;
import io.deagent.sources.airflow.AirflowLogSource;
import io.deagent.sources.airflow.AirflowSettings;
import io.deagent.sources.cloudwatch.CloudWatchSettings;
import io.deagent.sources.cloudwatch.LambdaErrorsSource;
import io.deagent.sources.cloudwatch.MwaaTaskLogSource;
import io.deagent.sources.redshift.RedshiftDataQuery;
import io.deagent.sources.redshift.RedshiftSettings;
import io.deagent.sources.redshift.SqlRunner;
import io.deagent.sources.spark.SparkHistorySource;
import io.deagent.sources.warehouse.DbtArtifactsSource;
import io.deagent.sources.warehouse.DbtAuditSource;
import io.deagent.sources.warehouse.JdbcSqlRunner;
import io.deagent.sources.warehouse.WarehouseSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The explicit list of evidence sources, each built from its settings when it is configured. Adding a
 * source is one line here. The order matters once: the first task log a source returns is the one read.
 */
public final class EvidenceSources {

    private EvidenceSources() {}

    /** The configured sources, in report order, with the probes {@code doctor} runs. */
    public record Configured(List<DiagnosticSource> sources, List<Probe> probes) {}

    public static Configured of(Config config) {
        List<DiagnosticSource> sources = new ArrayList<>();
        settings("Airflow", () -> AirflowSettings.from(config::get))
                .map(AirflowLogSource::from)
                .ifPresent(sources::add);
        Optional<CloudWatchSettings> cloudWatch = settings("CloudWatch", () -> CloudWatchSettings.from(config::get));
        cloudWatch.flatMap(MwaaTaskLogSource::from).ifPresent(sources::add);
        cloudWatch.flatMap(LambdaErrorsSource::from).ifPresent(sources::add);
        settings("warehouse", () -> WarehouseSettings.from(config::get)).ifPresent(ws -> {
            Optional<SqlRunner> runner = ws.jdbc()
                    .<SqlRunner>map(JdbcSqlRunner::new)
                    .or(() -> settings("Redshift", () -> RedshiftSettings.from(config::get))
                            .map(RedshiftDataQuery::create));
            runner.ifPresent(r -> sources.add(new DbtAuditSource(r, ws)));
            ws.dbtTargetPath().ifPresent(p -> sources.add(new DbtArtifactsSource(p)));
        });
        settings("Spark History Server", () -> SparkHistorySource.from(config::get))
                .ifPresent(sources::add);
        List<Probe> probes = sources.stream()
                .filter(s -> s instanceof Probe)
                .map(s -> (Probe) s)
                .toList();
        return new Configured(List.copyOf(sources), probes);
    }

    /** Bad settings stop the start with the reason, naming the integration. */
    private static <T> Optional<T> settings(String what, Supplier<Optional<T>> read) {
        try {
            return read.get();
        } catch (IllegalArgumentException e) {
            throw new ConfigException(what + " settings: " + e.getMessage());
        }
    }
}
