package io.deagent.sources.airflow;

import java.util.Locale;
import java.util.Optional;

/** The Airflow REST API generation: {@code /api/v1} is Airflow 2.x, {@code /api/v2} is Airflow 3.x. */
public enum ApiVersion {
    V1("/api/v1"),
    V2("/api/v2");

    private final String prefix;

    ApiVersion(String prefix) {
        this.prefix = prefix;
    }

    /** The path under the webserver root, without a trailing slash. */
    public String prefix() {
        return prefix;
    }

    /** {@code v1} or {@code v2}, as in {@code AIRFLOW_API_VERSION} and the {@code airflow.api} fact. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<ApiVersion> parse(String text) {
        return switch (text.strip().toLowerCase(Locale.ROOT)) {
            case "v1", "1" -> Optional.of(V1);
            case "v2", "2" -> Optional.of(V2);
            default -> Optional.empty();
        };
    }

    /** Airflow 3 serves v2; every earlier release with a stable API serves v1. */
    static ApiVersion forAirflowRelease(String release) {
        return release.strip().startsWith("2.") || release.strip().startsWith("1.") ? V1 : V2;
    }
}
