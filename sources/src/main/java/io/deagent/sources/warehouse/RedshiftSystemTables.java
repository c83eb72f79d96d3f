package io.deagent.sources.warehouse;

import static io.deagent.sources.warehouse.SqlQuery.placeholders;
import static io.deagent.sources.warehouse.SqlQuery.text;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Redshift's system views about a model's table: COPY errors ({@code stl_load_errors}, joined to {@code
 * stv_tbl_perm} for the table name, as in the AWS documentation's own example) and recent failed queries that
 * mention it ({@code sys_query_history} with its error message; {@code stl_query} aborted=1 where the SYS view is
 * not available). Asked only when {@code select version()} says Redshift.
 *
 * <p>CHAR columns in these views are blank-padded, hence the {@code trim()}s. Names are matched as bound
 * parameters; the LIKE pattern escapes {@code %}, {@code _} and {@code \} (the default escape on both engines).
 */
final class RedshiftSystemTables {

    static final int LOAD_ERROR_ROWS = 20;
    static final int QUERY_ROWS = 10;
    static final int QUERY_TEXT_CHARS = 300;

    private RedshiftSystemTables() {}

    static SqlQuery version() {
        return new SqlQuery("version", "version()", "select version()", List.of());
    }

    static boolean isRedshift(String version) {
        return version.contains("Redshift");
    }

    static SqlQuery loadErrors(List<String> tables) {
        return new SqlQuery(
                "stl_load_errors",
                "stl_load_errors",
                "select le.starttime, le.query, trim(p.name) as table_name, trim(le.filename) as filename,"
                        + " le.line_number, trim(le.colname) as colname, trim(le.type) as type, le.err_code,"
                        + " trim(le.err_reason) as err_reason, trim(le.raw_field_value) as raw_field_value"
                        + "\nfrom stl_load_errors le"
                        + "\njoin (select distinct id, name from stv_tbl_perm) p on p.id = le.tbl"
                        + "\nwhere trim(p.name) in (" + placeholders(tables.size()) + ")"
                        + "\norder by le.starttime desc\nlimit " + LOAD_ERROR_ROWS,
                new ArrayList<>(tables));
    }

    static SqlQuery failedQueries(List<String> tables) {
        return new SqlQuery(
                "sys_query_history",
                "sys_query_history",
                "select query_id, start_time, trim(error_message) as error_message,"
                        + " left(trim(query_text), " + QUERY_TEXT_CHARS + ") as query_text"
                        + "\nfrom sys_query_history\nwhere status = 'failed' and ("
                        + likeAny("query_text", tables.size())
                        + ")\norder by start_time desc\nlimit " + QUERY_ROWS,
                likePatterns(tables));
    }

    static SqlQuery abortedQueries(List<String> tables) {
        return new SqlQuery(
                "stl_query",
                "stl_query",
                "select query, starttime, left(trim(querytxt), " + QUERY_TEXT_CHARS + ") as querytxt"
                        + "\nfrom stl_query\nwhere aborted = 1 and (" + likeAny("querytxt", tables.size())
                        + ")\norder by starttime desc\nlimit " + QUERY_ROWS,
                likePatterns(tables));
    }

    static void digestLoadErrors(List<Map<String, Object>> rows, Digest digest) {
        digest.setFact("redshift.load_errors", rows.size());
        for (Map<String, Object> row : rows) {
            digest.line("stl_load_errors: " + text(row, "table_name").orElse("?")
                    + text(row, "filename").map(f -> " " + f).orElse("")
                    + text(row, "line_number").map(n -> " line " + n).orElse("")
                    + text(row, "colname").map(c -> " column " + c).orElse("")
                    + text(row, "err_code").map(c -> " err_code=" + c).orElse("")
                    + text(row, "err_reason").map(r -> " " + Digest.quote(r)).orElse("")
                    + text(row, "raw_field_value")
                            .map(v -> " raw_field_value=" + Digest.quote(v))
                            .orElse("")
                    + text(row, "starttime").map(t -> " at " + t).orElse(""));
            digest.fact("redshift.load_error.table", text(row, "table_name"));
            digest.fact("redshift.load_error.filename", text(row, "filename"));
            digest.fact("redshift.load_error.line_number", text(row, "line_number"));
            digest.fact("redshift.load_error.colname", text(row, "colname"));
            digest.fact("redshift.load_error.type", text(row, "type"));
            digest.fact("redshift.load_error.err_code", text(row, "err_code"));
            digest.fact("redshift.load_error.err_reason", text(row, "err_reason"));
            digest.fact("redshift.load_error.raw_field_value", text(row, "raw_field_value"));
            digest.fact("redshift.load_error.query", text(row, "query"));
        }
    }

    static void digestFailedQueries(List<Map<String, Object>> rows, Digest digest) {
        digest.setFact("redshift.failed_queries", rows.size());
        for (Map<String, Object> row : rows) {
            digest.line("sys_query_history: query " + text(row, "query_id").orElse("?") + " failed"
                    + text(row, "error_message").map(e -> " " + Digest.quote(e)).orElse("")
                    + text(row, "start_time").map(t -> " at " + t).orElse("")
                    + text(row, "query_text").map(q -> ": " + Digest.quote(q)).orElse(""));
            digest.fact("redshift.failed_query.id", text(row, "query_id"));
            digest.fact("redshift.failed_query.error", text(row, "error_message"));
            digest.fact("redshift.failed_query.started_at", text(row, "start_time"));
            digest.fact("redshift.failed_query.text", text(row, "query_text"));
        }
    }

    static void digestAbortedQueries(List<Map<String, Object>> rows, Digest digest) {
        digest.setFact("redshift.aborted_queries", rows.size());
        for (Map<String, Object> row : rows) {
            digest.line("stl_query: query " + text(row, "query").orElse("?") + " aborted"
                    + text(row, "starttime").map(t -> " at " + t).orElse("")
                    + text(row, "querytxt").map(q -> ": " + Digest.quote(q)).orElse(""));
            digest.fact("redshift.aborted_query.id", text(row, "query"));
            digest.fact("redshift.aborted_query.text", text(row, "querytxt"));
        }
    }

    private static String likeAny(String column, int n) {
        List<String> likes = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            likes.add(column + " ilike ?");
        }
        return String.join(" or ", likes);
    }

    private static List<Object> likePatterns(List<String> tables) {
        List<Object> patterns = new ArrayList<>();
        for (String table : tables) {
            patterns.add("%" + table.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%");
        }
        return patterns;
    }
}
