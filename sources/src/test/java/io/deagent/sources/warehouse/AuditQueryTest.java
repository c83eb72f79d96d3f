package io.deagent.sources.warehouse;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditQueryTest {

    @Test
    void namedParametersBecomePositionalInOrder() {
        AuditQuery q = AuditQuery.parse(
                "select * from audit.runs where dag_id = :dag_id and task_id = :task_id and (:run_id is null or run_id = :run_id)");

        assertThat(q.sql())
                .isEqualTo("select * from audit.runs where dag_id = ? and task_id = ? and (? is null or run_id = ?)");
        assertThat(q.parameters()).containsExactly("dag_id", "task_id", "run_id", "run_id");
    }

    @Test
    void castsLiteralsIdentifiersCommentsAndDollarQuotesAreLeftAlone() {
        String sql = """
                select created_at::date, ':model' as a, E'it\\'s :task_id' as b, "col:dag_id", $$ :run_id $$, $q$:x$q$
                -- where model = :model
                /* and :dag_id */
                from t where model = :model and arr[1:2] = '{}' and x = 'it''s :test'""";

        AuditQuery q = AuditQuery.parse(sql);

        assertThat(q.parameters()).containsExactly("model");
        assertThat(q.sql()).isEqualTo(sql.replace("model = :model and", "model = ? and"));
    }

    @Test
    void absentValuesAreBoundAsNull() {
        AuditQuery q = AuditQuery.parse("select :dag_id, :run_id, :model");

        assertThat(q.bind(Map.of("dag_id", Optional.of("daily_orders"), "run_id", Optional.empty())))
                .isEqualTo(Arrays.asList("daily_orders", null, null));
    }

    @Test
    void unknownParameterQuestionMarkAndUnterminatedTextAreRefusedAtConfigTime() {
        assertThatThrownBy(() -> AuditQuery.parse("select * from t where d = :logical_date"))
                .hasMessageContaining("DE_AGENT_AUDIT_QUERY: unknown parameter :logical_date")
                .hasMessageContaining(":dag_id");
        assertThatThrownBy(() -> AuditQuery.parse("select * from t where d = ?"))
                .hasMessageContaining("must use named parameters");
        assertThatThrownBy(() -> AuditQuery.parse("select 'abc from t where d = :dag_id"))
                .hasMessageContaining("unterminated string literal at character 8");
        assertThatThrownBy(() -> AuditQuery.parse("select 1 /* :dag_id")).hasMessageContaining("unterminated comment");
    }
}
