package io.deagent.sources.spark;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SparkHistorySettingsTest {

    private static Optional<SparkHistorySettings> from(Map<String, String> env) {
        return SparkHistorySettings.from(k -> Optional.ofNullable(env.get(k)));
    }

    @Test
    void notConfiguredWithoutTheUrl() {
        assertThat(from(Map.of())).isEmpty();
        assertThat(from(Map.of("SPARK_HISTORY_URL", "  "))).isEmpty();
    }

    @Test
    void theRootIsKeptWithoutTrailingSlashOrApiSuffix() {
        assertThat(from(Map.of("SPARK_HISTORY_URL", "http://spark-history:18080/"))
                        .orElseThrow()
                        .baseUrl())
                .hasToString("http://spark-history:18080");
        assertThat(from(Map.of("SPARK_HISTORY_URL", "https://gw.example/sparkhistory/api/v1/"))
                        .orElseThrow()
                        .baseUrl())
                .hasToString("https://gw.example/sparkhistory");
        assertThat(from(Map.of("SPARK_HISTORY_URL", "http://shs:18080"))
                        .orElseThrow()
                        .api("version"))
                .hasToString("http://shs:18080/api/v1/version");
    }

    @Test
    void badValuesSayWhatToFix() {
        assertThatThrownBy(() -> from(Map.of("SPARK_HISTORY_URL", "spark-history:18080")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("SPARK_HISTORY_URL")
                .hasMessageContaining("http://spark-history:18080");
        assertThatThrownBy(() -> from(Map.of("SPARK_HISTORY_URL", "http://shs:18080/a b")))
                .hasMessageContaining("SPARK_HISTORY_URL is not a URL");
        assertThatThrownBy(() -> from(Map.of("SPARK_HISTORY_URL", "ftp://shs"))).hasMessageContaining("http(s)");
    }

    @Test
    void credentialsInTheUrlAreRefusedWithoutBeingRepeated() {
        assertThatThrownBy(() -> from(Map.of("SPARK_HISTORY_URL", "http://admin:s3cret@shs:18080")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("credentials")
                .message()
                .doesNotContain("s3cret");
    }
}
