package io.deagent.sources.redshift;

import io.deagent.core.investigate.Budget;
import java.util.List;

/**
 * Runs one read-only SQL statement against the warehouse, whichever way it is reached (the Redshift Data API,
 * or JDBC), so a warehouse source can run the same audit SQL over either.
 *
 * <p>Parameters are positional, written {@code ?} in the SQL as in JDBC, and bound in order. Values may be
 * {@code String}, numbers, {@code Boolean}, {@code java.time} values or {@code null}; the Data API sends them
 * as text, so compare typed columns with a cast ({@code created_at > ?::timestamp}) to be portable.
 */
public interface SqlRunner {

    /**
     * @throws io.deagent.sources.SourceException when the statement fails (with the database's error text),
     *     is refused, or does not finish within the budget ({@code TimedOut})
     */
    Rows query(String sql, List<Object> params, Budget budget);
}
