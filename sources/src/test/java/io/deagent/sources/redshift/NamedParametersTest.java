package io.deagent.sources.redshift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.redshiftdata.model.SqlParameter;

class NamedParametersTest {

    private static SqlParameter p(String name, String value) {
        return SqlParameter.builder().name(name).value(value).build();
    }

    @Test
    void placeholdersBecomeNamedParametersInOrder() {
        NamedParameters n = NamedParameters.of(
                "select * from t where a = ? and b > ?::timestamp and c in (?, ?) and d = ?",
                List.of("x", Instant.parse("2026-11-20T03:00:00Z"), 5L, new BigDecimal("1.50"), true));

        assertThat(n.sql())
                .isEqualTo("select * from t where a = :p1 and b > :p2::timestamp and c in (:p3, :p4) and d = :p5");
        assertThat(n.parameters())
                .containsExactly(
                        p("p1", "x"),
                        p("p2", "2026-11-20 03:00:00.000000"),
                        p("p3", "5"),
                        p("p4", "1.50"),
                        p("p5", "true"));
    }

    @Test
    void questionMarksInLiteralsIdentifiersAndCommentsAreText() {
        NamedParameters n = NamedParameters.of(
                "select 'why?', 'it''s ?', \"col?\", $$ ? $$, $q$ ? $q$ -- really?\n, ? /* or ? */ from t where x = ?",
                List.of("a", "b"));

        assertThat(n.sql())
                .isEqualTo(
                        "select 'why?', 'it''s ?', \"col?\", $$ ? $$, $q$ ? $q$ -- really?\n, :p1 /* or ? */ from t where x = :p2");
        assertThat(n.parameters()).containsExactly(p("p1", "a"), p("p2", "b"));
    }

    @Test
    void nullAndEmptyValuesAreWrittenAsConstants() {
        NamedParameters n = NamedParameters.of("select ?, ?, ?", Arrays.asList(null, "", "z"));

        assertThat(n.sql()).isEqualTo("select NULL, '', :p3");
        assertThat(n.parameters()).containsExactly(p("p3", "z"));
    }

    @Test
    void countsMustMatch() {
        assertThatThrownBy(() -> NamedParameters.of("select ?", List.of()))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> NamedParameters.of("select 1", List.of("x")))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
