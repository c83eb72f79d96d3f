package io.deagent.sources.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class WarehouseSettingsTest {

    private static Optional<WarehouseSettings> from(Map<String, String> env) {
        return WarehouseSettings.from(name -> Optional.ofNullable(env.get(name)));
    }

    @Test
    void notConfiguredWithoutAnyWarehouseOrTarget() {
        assertThat(from(Map.of())).isEmpty();
        assertThat(from(Map.of("DE_AGENT_ELEMENTARY_SCHEMA", "x", "DE_AGENT_WAREHOUSE_JDBC_URL", " ")))
                .isEmpty();
    }

    @Test
    void jdbcWithDefaultsAndRedshiftUrlsReadAsPostgresql() {
        WarehouseSettings s = from(Map.of(
                        "DE_AGENT_WAREHOUSE_JDBC_URL",
                                "jdbc:redshift://c1.abc.eu-west-1.redshift.amazonaws.com:5439/analytics",
                        "DE_AGENT_WAREHOUSE_USER", "de_agent",
                        "DE_AGENT_WAREHOUSE_PASSWORD", "Pw-123"))
                .orElseThrow();

        assertThat(s.jdbc().orElseThrow().url())
                .isEqualTo("jdbc:postgresql://c1.abc.eu-west-1.redshift.amazonaws.com:5439/analytics");
        assertThat(s.elementarySchema()).isEqualTo("elementary");
        assertThat(s.auditQuery()).isEmpty();
        assertThat(s.dbtTargetPath()).isEmpty();
        assertThat(s.toString()).doesNotContain("Pw-123");
    }

    @Test
    void dataApiOrTargetPathAloneAlsoConfigureIt() {
        WarehouseSettings s = from(Map.of(
                        "REDSHIFT_WORKGROUP", "analytics",
                        "DE_AGENT_ELEMENTARY_SCHEMA", "analytics_elementary",
                        "DE_AGENT_AUDIT_QUERY", "select * from audit.runs where dag_id = :dag_id",
                        "DBT_TARGET_PATH", "dbt/target"))
                .orElseThrow();

        assertThat(s.jdbc()).isEmpty();
        assertThat(s.elementarySchema()).isEqualTo("analytics_elementary");
        assertThat(s.auditQuery().orElseThrow().sql()).isEqualTo("select * from audit.runs where dag_id = ?");
        assertThat(s.dbtTargetPath()).contains(Path.of("dbt/target"));
    }

    @Test
    void badValuesAreRefusedWithWhatToDo() {
        assertThatThrownBy(() -> from(Map.of("DE_AGENT_WAREHOUSE_JDBC_URL", "jdbc:mysql://h/db?password=Pw-9")))
                .hasMessageContaining("must start with jdbc:postgresql://")
                .hasMessageContaining("password=***")
                .hasMessageNotContaining("Pw-9");
        assertThatThrownBy(() ->
                        from(Map.of("DBT_TARGET_PATH", "t", "DE_AGENT_ELEMENTARY_SCHEMA", "elementary; drop table x")))
                .hasMessageContaining("DE_AGENT_ELEMENTARY_SCHEMA must be a plain schema name");
        assertThatThrownBy(() -> from(Map.of("DBT_TARGET_PATH", "t", "DE_AGENT_AUDIT_QUERY", "select :nope")))
                .hasMessageContaining("unknown parameter :nope");
    }

    @Test
    void redactionCoversPasswordParametersAndUserInfo() {
        assertThat(WarehouseSettings.Jdbc.redact(
                        "jdbc:postgresql://h:5439/db?user=u&password=p1&sslpassword=p2&ssl=true"))
                .isEqualTo("jdbc:postgresql://h:5439/db?user=u&password=***&sslpassword=***&ssl=true");
        assertThat(WarehouseSettings.Jdbc.redact("jdbc:postgresql://u:p3@h/db"))
                .isEqualTo("jdbc:postgresql://u:***@h/db");
    }
}
