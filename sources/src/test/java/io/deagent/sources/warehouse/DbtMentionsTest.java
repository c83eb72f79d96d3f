package io.deagent.sources.warehouse;

import static io.deagent.sources.warehouse.TestEvents.event;
import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.core.FailureEvent;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DbtMentionsTest {

    @Test
    void exampleLogNamesTheFailedTestAndTheSelectedModel() throws IOException {
        String log = Files.readString(
                Path.of(System.getProperty("deagent.root", ".."), "examples", "logs", "dbt-test-failure.log"));
        FailureEvent e = event("analytics_dbt", "dbt_build_orders", "BashOperator", null, log);

        DbtMentions m = DbtMentions.in(e);

        assertThat(DbtMentions.looksLikeDbt(e)).isTrue();
        assertThat(m.tests()).containsExactly("unique_fct_orders_order_id");
        assertThat(m.models()).containsExactly("fct_orders"); // from --select +fct_orders
    }

    @Test
    void databaseErrorsProgressLinesAndUniqueIds() {
        FailureEvent e = event(
                "d",
                "t",
                null,
                "Database Error in model stg_orders (models/staging/stg_orders.sql)\n  column \"customer_idd\" does not exist",
                "03:01:00  1 of 3 ERROR creating sql incremental model analytics.stg_payments ..... [ERROR in 0.12s]\n"
                        + "03:01:02  2 of 3 ERROR not_null_orders_customer_id .......... [ERROR in 0.30s]\n"
                        + "node test.shop.unique_orders_order_id.a1b2c3d4e5 and model.shop.orders were selected\n");

        DbtMentions m = DbtMentions.in(e);

        assertThat(m.models()).containsExactly("stg_orders", "stg_payments", "orders");
        assertThat(m.tests()).containsExactly("not_null_orders_customer_id", "unique_orders_order_id");
        assertThat(m.uniqueIds()).containsExactly("test.shop.unique_orders_order_id.a1b2c3d4e5", "model.shop.orders");
    }

    @Test
    void payloadModelIsTakenAsGivenBecauseItIsOnlyEverBound() {
        FailureEvent e = event("d", "load", "PythonOperator", null, null, Map.of("model", " stg_orders' or '1'='1 "));

        assertThat(DbtMentions.looksLikeDbt(e)).isTrue();
        assertThat(DbtMentions.in(e).models()).containsExactly("stg_orders' or '1'='1");
    }

    @Test
    void whatLooksLikeDbt() {
        assertThat(DbtMentions.looksLikeDbt(event("d", "run_models", "DbtCloudRunJobOperator", null, null)))
                .isTrue();
        assertThat(DbtMentions.looksLikeDbt(event("d", "transform.dbt_run", "PythonOperator", null, null)))
                .isTrue();
        assertThat(DbtMentions.looksLikeDbt(event("d", "t", "BashOperator", null, "04:00:09  Running with dbt=1.8.7")))
                .isTrue();
        assertThat(DbtMentions.looksLikeDbt(event("d", "t", null, "Failure in test x (models/a.yml)", null)))
                .isTrue();
        assertThat(DbtMentions.looksLikeDbt(event(
                        "d",
                        "load_orders",
                        "PostgresOperator",
                        "psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist",
                        "dbtable=orders")))
                .isFalse();
    }
}
