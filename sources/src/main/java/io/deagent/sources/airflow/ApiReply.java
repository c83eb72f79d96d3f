package io.deagent.sources.airflow;

import java.util.Locale;
import java.util.Optional;

/**
 * A successful (2xx) answer. Errors never get here: transports throw them as {@code SourceException}.
 *
 * @param body the body text; for a plain-text log, only its tail when it was larger than the cap
 * @param bytes how many body bytes the server sent, kept or not
 * @param truncated whether the head of the body was dropped to respect the cap
 * @param continuationToken Airflow 3's {@code Airflow-Continuation-Token} header, when set
 */
record ApiReply(String contentType, String body, long bytes, boolean truncated, Optional<String> continuationToken) {

    boolean isJson() {
        return isJson(contentType);
    }

    static boolean isJson(String contentType) {
        String t = contentType.toLowerCase(Locale.ROOT);
        return t.contains("json"); // application/json, application/problem+json, application/x-ndjson
    }
}
