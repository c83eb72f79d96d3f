/**
 * The Redshift Data API as a {@link io.deagent.sources.redshift.SqlRunner}: the warehouse sources run their audit
 * SQL through it or through JDBC, and read {@link io.deagent.sources.redshift.Rows} either way.
 */
package io.deagent.sources.redshift;
