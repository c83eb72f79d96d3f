package io.deagent.sources.warehouse;

import io.deagent.sources.redshift.Rows;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * One parameterised query of a source: the part it feeds ({@code dbt_run_results}, …), the relation it reads
 * (for "skipped: does not exist" notes), the SQL with {@code ?} placeholders, and the bound values.
 */
record SqlQuery(String part, String relation, String sql, List<Object> params) {

    SqlQuery {
        params = Collections.unmodifiableList(new ArrayList<>(params)); // may hold nulls (absent values)
    }

    /** {@code ?, ?, ?} for an {@code in (…)} list of {@code n} bound values. */
    static String placeholders(int n) {
        StringJoiner joined = new StringJoiner(", ");
        for (int i = 0; i < n; i++) {
            joined.add("?");
        }
        return joined.toString();
    }

    /** The SQL as reported in {@code Evidence.query}, with the bound values after it (event values, no secrets). */
    String described() {
        return sql + (params.isEmpty() ? "" : "\n-- params: " + params);
    }

    /** Rows as maps keyed by lower-case column name, so a row reads the same from JDBC and the Data API. */
    static List<Map<String, Object>> records(Rows rows) {
        List<String> names =
                rows.columns().stream().map(c -> c.toLowerCase(Locale.ROOT)).toList();
        List<Map<String, Object>> out = new ArrayList<>(rows.values().size());
        for (List<Object> row : rows.values()) {
            Map<String, Object> record = new HashMap<>();
            for (int i = 0; i < names.size() && i < row.size(); i++) {
                record.put(names.get(i), row.get(i));
            }
            out.add(record);
        }
        return out;
    }

    /** A cell as text, absent when null or blank (Redshift CHAR columns come padded: stripped here). */
    static Optional<String> text(Map<String, Object> record, String column) {
        Object value = record.get(column);
        return value == null
                ? Optional.empty()
                : Optional.of(value.toString().strip()).filter(s -> !s.isEmpty());
    }
}
