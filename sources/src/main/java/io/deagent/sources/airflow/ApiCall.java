package io.deagent.sources.airflow;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One request to the Airflow REST API, relative to {@code /api/v1} or {@code /api/v2}. Segments and query values
 * are raw (a run id as Airflow knows it); each transport encodes them for its wire.
 */
record ApiCall(String method, List<String> segments, Map<String, String> query, Accept accept) {

    /** What we ask the server to answer with. */
    enum Accept {
        JSON("application/json"),
        /** Airflow 2's log endpoint streams the raw log for this; everything else answers JSON. */
        TEXT("text/plain");

        final String mediaType;

        Accept(String mediaType) {
            this.mediaType = mediaType;
        }
    }

    ApiCall {
        segments = List.copyOf(segments);
        query = Collections.unmodifiableMap(new LinkedHashMap<>(query));
    }

    static ApiCall get(Map<String, String> query, String... segments) {
        return new ApiCall("GET", List.of(segments), query, Accept.JSON);
    }

    ApiCall accepting(Accept a) {
        return new ApiCall(method, segments, query, a);
    }

    /** The query as it may be shown: a continuation token is opaque server state, not worth printing. */
    Map<String, String> printableQuery() {
        Map<String, String> out = new LinkedHashMap<>(query);
        out.computeIfPresent("token", (k, v) -> "…");
        return out;
    }
}
