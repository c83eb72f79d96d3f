package io.deagent.sources.cloudwatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CloudWatchSettingsTest {

    private static Optional<CloudWatchSettings> from(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return CloudWatchSettings.from(name -> Optional.ofNullable(env.get(name)));
    }

    @Test
    void nothingConfiguredIsNoSource() {
        assertThat(from("AWS_REGION", "us-east-1")).isEmpty();
        assertThat(from("MWAA_ENVIRONMENT", "  ", "DE_AGENT_LAMBDA_FUNCTIONS", " , "))
                .isEmpty();
    }

    @Test
    void theMwaaEnvironmentNamesTheTaskLogGroup() {
        CloudWatchSettings s =
                from("MWAA_ENVIRONMENT", "prod", "AWS_REGION", "eu-west-1").orElseThrow();

        assertThat(s.taskLogGroup()).contains("airflow-prod-Task");
        assertThat(s.region()).isEqualTo("eu-west-1");
        assertThat(s.lambdaFunctions()).isEmpty();
        assertThat(s.lambdaLookback()).isEqualTo(Duration.ofMinutes(60));
        assertThat(s.endpoint()).isEmpty();
    }

    @Test
    void anExplicitTaskLogGroupWins() {
        assertThat(from(
                                "MWAA_ENVIRONMENT",
                                "prod",
                                "DE_AGENT_TASK_LOG_GROUP",
                                "airflow-logs/task",
                                "AWS_REGION",
                                "us-east-1")
                        .orElseThrow()
                        .taskLogGroup())
                .contains("airflow-logs/task");
    }

    @Test
    void lambdaFunctionsAreNamesAndArnsAreReducedToThem() {
        CloudWatchSettings s = from(
                        "DE_AGENT_LAMBDA_FUNCTIONS",
                        " ingest-orders, arn:aws:lambda:us-east-1:123456789012:function:load_s3:live ,ingest-orders",
                        "DE_AGENT_LAMBDA_LOOKBACK_MINUTES",
                        "15",
                        "AWS_REGION",
                        "us-east-1",
                        "AWS_ENDPOINT_URL",
                        "http://localhost:4566")
                .orElseThrow();

        assertThat(s.lambdaFunctions()).containsExactly("ingest-orders", "load_s3");
        assertThat(s.lambdaLookback()).isEqualTo(Duration.ofMinutes(15));
        assertThat(s.taskLogGroup()).isEmpty();
        assertThat(s.endpoint()).contains(URI.create("http://localhost:4566"));
    }

    @Test
    void malformedValuesAreRefusedNamingTheVariable() {
        assertThatThrownBy(() -> from("MWAA_ENVIRONMENT", "prod"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("AWS_REGION is required");
        assertThatThrownBy(() -> from("MWAA_ENVIRONMENT", "9 lives", "AWS_REGION", "us-east-1"))
                .hasMessageContaining("MWAA_ENVIRONMENT");
        assertThatThrownBy(() -> from("DE_AGENT_LAMBDA_FUNCTIONS", "a b", "AWS_REGION", "us-east-1"))
                .hasMessageContaining("DE_AGENT_LAMBDA_FUNCTIONS");
        assertThatThrownBy(() -> from(
                        "DE_AGENT_LAMBDA_FUNCTIONS",
                        "f",
                        "DE_AGENT_LAMBDA_LOOKBACK_MINUTES",
                        "0",
                        "AWS_REGION",
                        "us-east-1"))
                .hasMessageContaining("DE_AGENT_LAMBDA_LOOKBACK_MINUTES");
        assertThatThrownBy(() -> from("MWAA_ENVIRONMENT", "prod", "AWS_REGION", "US East"))
                .hasMessageContaining("AWS_REGION");
        assertThatThrownBy(() -> from(
                        "MWAA_ENVIRONMENT", "prod", "AWS_REGION", "us-east-1", "AWS_ENDPOINT_URL", "localhost:4566"))
                .hasMessageContaining("AWS_ENDPOINT_URL");
    }
}
