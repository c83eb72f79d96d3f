package io.deagent.sources.spark;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.deagent.testkit.FakeSparkHistory;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** The Spark answers under {@code src/test/resources/spark/}: reference samples, a real recording, a YARN app. */
final class SparkResources {

    static final String QUANTILES = SparkHistorySource.QUANTILES;
    static final String YARN_APP = "application_1523494505172_1552404";

    private static final ObjectMapper JSON = new ObjectMapper();

    private SparkResources() {}

    static JsonNode sample(String name) {
        return read("spark/samples/" + name);
    }

    /** The id of a recorded application: {@code skewed} or {@code failing} (see recorded/README.md). */
    static String recordedApp(String which) {
        return read("spark/recorded/index.json").path(which).asText();
    }

    /** A recorded answer, by request path below {@code /api/v1/}. */
    static JsonNode recorded(String pathAndQuery) {
        return read("spark/recorded/" + FakeSparkHistory.fileFor(pathAndQuery));
    }

    static JsonNode yarn(String pathAndQuery) {
        return read("spark/yarn/" + FakeSparkHistory.fileFor(pathAndQuery));
    }

    static JsonNode read(String resource) {
        try (InputStream in = SparkResources.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalArgumentException("no test resource " + resource);
            }
            return JSON.readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
