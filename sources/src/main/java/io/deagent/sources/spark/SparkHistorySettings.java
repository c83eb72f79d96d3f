package io.deagent.sources.spark;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the Spark History Server is: {@code SPARK_HISTORY_URL}, its root as a browser opens it (e.g. {@code
 * http://spark-history:18080}, or {@code https://gateway/sparkhistory} behind a proxy). The REST API is below it
 * at {@code /api/v1}; a value that already ends in {@code /api/v1} is accepted and cut back to the root.
 *
 * @param baseUrl the root, without a trailing slash; used for the API and for links into the UI
 */
public record SparkHistorySettings(URI baseUrl) {

    public static final String URL_VARIABLE = "SPARK_HISTORY_URL";

    public SparkHistorySettings {
        baseUrl = validated(baseUrl.toString());
    }

    /**
     * Reads the settings; empty when {@code SPARK_HISTORY_URL} is not set (the source is then not used).
     *
     * @throws IllegalArgumentException naming the variable and what to fix, when the value is not a usable URL
     */
    public static Optional<SparkHistorySettings> from(Function<String, Optional<String>> config) {
        return config.apply(URL_VARIABLE)
                .map(String::strip)
                .filter(v -> !v.isEmpty())
                .map(v -> new SparkHistorySettings(validated(v)));
    }

    /** {@code <root>/api/v1/<path>}. */
    URI api(String pathAndQuery) {
        return URI.create(baseUrl + "/api/v1/" + pathAndQuery);
    }

    private static URI validated(String value) {
        URI uri;
        try {
            uri = new URI(value);
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(URL_VARIABLE + " is not a URL (" + e.getReason()
                    + "): set it to the History Server root," + " e.g. http://spark-history:18080");
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException(URL_VARIABLE + " must be an http(s) URL with a host, e.g."
                    + " http://spark-history:18080, got '" + value + "'");
        }
        if (uri.getRawUserInfo() != null) {
            // the URL appears in messages and links; a password inside it would leak there
            throw new IllegalArgumentException(
                    URL_VARIABLE + " must not contain credentials (user:password@); use a URL without them");
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new IllegalArgumentException(URL_VARIABLE + " must not have a query or fragment, e.g."
                    + " http://spark-history:18080, got '" + value + "'");
        }
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        if (path.endsWith("/api/v1")) {
            path = path.substring(0, path.length() - "/api/v1".length());
        }
        return URI.create(scheme + "://" + uri.getRawAuthority() + path);
    }
}
