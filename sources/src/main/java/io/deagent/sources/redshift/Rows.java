package io.deagent.sources.redshift;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * A result set as plain Java values: {@code String}, {@code Long}, {@code Double}, {@code Boolean}, {@code
 * byte[]}, or {@code null} for SQL NULL. Timestamps and decimals arrive as text from the Data API.
 *
 * @param columns column labels, in select-list order
 * @param values one list per row, aligned with {@code columns}; may hold {@code null}
 */
public record Rows(List<String> columns, List<List<Object>> values) {

    public Rows {
        columns = List.copyOf(columns);
        List<List<Object>> copy = new ArrayList<>(values.size());
        for (List<Object> row : values) {
            if (row.size() != columns.size()) {
                throw new IllegalArgumentException(
                        "a row has " + row.size() + " values for " + columns.size() + " columns");
            }
            copy.add(Collections.unmodifiableList(new ArrayList<>(row))); // List.copyOf refuses SQL NULLs
        }
        values = Collections.unmodifiableList(copy);
    }

    public static Rows empty() {
        return new Rows(List.of(), List.of());
    }

    public int size() {
        return values.size();
    }

    public boolean isEmpty() {
        return values.isEmpty();
    }

    /** The value of {@code column} in row {@code row}. */
    public Object get(int row, String column) {
        int i = columns.indexOf(column);
        if (i < 0) {
            throw new IllegalArgumentException("no column " + column + " in " + columns);
        }
        return values.get(row).get(i);
    }
}
