package io.deagent.sources.redshift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RedshiftSettingsTest {

    private static Optional<RedshiftSettings> from(String... pairs) {
        Map<String, String> env = new HashMap<>();
        for (int i = 0; i < pairs.length; i += 2) {
            env.put(pairs[i], pairs[i + 1]);
        }
        return RedshiftSettings.from(name -> Optional.ofNullable(env.get(name)));
    }

    @Test
    void nothingConfiguredIsNoDataApi() {
        assertThat(from("REDSHIFT_DATABASE", "dev", "AWS_REGION", "us-east-1")).isEmpty();
    }

    @Test
    void aProvisionedClusterWithADatabaseUser() {
        RedshiftSettings s = from(
                        "REDSHIFT_CLUSTER_ID",
                        "Analytics",
                        "REDSHIFT_DATABASE",
                        "dev",
                        "REDSHIFT_DB_USER",
                        "agent",
                        "AWS_REGION",
                        "eu-west-1")
                .orElseThrow();

        assertThat(s.target()).isEqualTo(new RedshiftSettings.Target.Cluster("analytics"));
        assertThat(s.dbUser()).contains("agent");
        assertThat(s.secretArn()).isEmpty();
        assertThat(s.describe()).isEqualTo("cluster analytics database dev");
    }

    @Test
    void aServerlessWorkgroupWithOrWithoutASecret() {
        String arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:de-agent/redshift-a1b2c3";
        RedshiftSettings s = from(
                        "REDSHIFT_WORKGROUP",
                        "analytics-wg",
                        "REDSHIFT_DATABASE",
                        "dev",
                        "REDSHIFT_SECRET_ARN",
                        arn,
                        "AWS_REGION",
                        "us-east-1",
                        "AWS_ENDPOINT_URL",
                        "http://127.0.0.1:4566")
                .orElseThrow();

        assertThat(s.target()).isEqualTo(new RedshiftSettings.Target.Workgroup("analytics-wg"));
        assertThat(s.secretArn()).contains(arn);
        assertThat(s.endpoint()).isPresent();
        assertThat(from("REDSHIFT_WORKGROUP", "analytics-wg", "REDSHIFT_DATABASE", "dev", "AWS_REGION", "us-east-1"))
                .isPresent();
    }

    @Test
    void contradictionsAndGapsAreRefusedNamingTheVariables() {
        assertThatThrownBy(() -> from(
                        "REDSHIFT_CLUSTER_ID",
                        "c",
                        "REDSHIFT_WORKGROUP",
                        "wg1",
                        "REDSHIFT_DATABASE",
                        "dev",
                        "AWS_REGION",
                        "us-east-1"))
                .hasMessageContaining("REDSHIFT_CLUSTER_ID")
                .hasMessageContaining("REDSHIFT_WORKGROUP");
        assertThatThrownBy(() -> from("REDSHIFT_CLUSTER_ID", "c", "REDSHIFT_DB_USER", "u", "AWS_REGION", "us-east-1"))
                .hasMessageContaining("REDSHIFT_DATABASE is required");
        assertThatThrownBy(
                        () -> from("REDSHIFT_CLUSTER_ID", "c", "REDSHIFT_DATABASE", "dev", "AWS_REGION", "us-east-1"))
                .hasMessageContaining("REDSHIFT_DB_USER")
                .hasMessageContaining("REDSHIFT_SECRET_ARN");
        assertThatThrownBy(() -> from(
                        "REDSHIFT_WORKGROUP",
                        "wg1",
                        "REDSHIFT_DATABASE",
                        "dev",
                        "REDSHIFT_DB_USER",
                        "u",
                        "AWS_REGION",
                        "us-east-1"))
                .hasMessageContaining("provisioned clusters only");
        assertThatThrownBy(() -> from("REDSHIFT_CLUSTER_ID", "c", "REDSHIFT_DATABASE", "dev", "REDSHIFT_DB_USER", "u"))
                .hasMessageContaining("AWS_REGION is required");
        assertThatThrownBy(() -> from(
                        "REDSHIFT_CLUSTER_ID",
                        "c",
                        "REDSHIFT_DATABASE",
                        "dev",
                        "REDSHIFT_SECRET_ARN",
                        "my-secret",
                        "AWS_REGION",
                        "us-east-1"))
                .hasMessageContaining("REDSHIFT_SECRET_ARN must be");
        assertThatThrownBy(() -> from(
                        "REDSHIFT_CLUSTER_ID",
                        "1bad",
                        "REDSHIFT_DATABASE",
                        "dev",
                        "REDSHIFT_DB_USER",
                        "u",
                        "AWS_REGION",
                        "us-east-1"))
                .hasMessageContaining("REDSHIFT_CLUSTER_ID must be");
    }
}
