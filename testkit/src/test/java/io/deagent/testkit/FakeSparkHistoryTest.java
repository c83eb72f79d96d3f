package io.deagent.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deagent.testkit.FakeSparkHistory.Trouble;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FakeSparkHistoryTest {

    private final HttpClient http = HttpClient.newHttpClient();

    private HttpResponse<String> get(FakeSparkHistory fake, String path, Duration timeout)
            throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create(fake.baseUrl() + path))
                        .timeout(timeout)
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(FakeSparkHistory fake, String path) throws IOException, InterruptedException {
        return get(fake, path, Duration.ofSeconds(5));
    }

    private static void write(Path root, String file, String body) throws IOException {
        Path f = root.resolve(file);
        Files.createDirectories(f.getParent());
        Files.writeString(f, body);
    }

    @Test
    void aRequestIsAnsweredByTheFileNamedAfterItsPathAndQuery() throws Exception {
        assertThat(FakeSparkHistory.fileFor("version")).isEqualTo("version.json");
        assertThat(FakeSparkHistory.fileFor("/applications/app-1/stages?status=failed&details=false"))
                .isEqualTo("applications/app-1/stages@status=failed&details=false.json");
    }

    @Test
    void servesARecordingInADirectory(@TempDir Path root) throws Exception {
        write(root, "applications/local-1700000000000.json", "{\"id\":\"local-1700000000000\"}");
        write(root, "applications/local-1700000000000/stages@status=failed.json", "[ ]");
        write(root, "applications/local-1700000000000/stages.json", "[ {\"stageId\":0} ]");

        try (FakeSparkHistory fake = FakeSparkHistory.serving(root)) {
            HttpResponse<String> app = get(fake, "/api/v1/applications/local-1700000000000");
            assertThat(app.statusCode()).isEqualTo(200);
            assertThat(app.headers().firstValue("Content-Type")).contains("application/json");
            assertThat(app.body()).isEqualTo("{\"id\":\"local-1700000000000\"}");
            assertThat(get(fake, "/api/v1/applications/local-1700000000000/stages?status=failed")
                            .body())
                    .isEqualTo("[ ]");
            assertThat(get(fake, "/api/v1/applications/local-1700000000000/stages")
                            .body())
                    .isEqualTo("[ {\"stageId\":0} ]");
            assertThat(fake.calls())
                    .extracting(FakeSparkHistory.Call::pathAndQuery)
                    .containsExactly(
                            "applications/local-1700000000000",
                            "applications/local-1700000000000/stages?status=failed",
                            "applications/local-1700000000000/stages");
        }
    }

    @Test
    void whatWasNotRecordedIsNotFoundAsSparkSaysIt(@TempDir Path root) throws Exception {
        write(root, "applications/local-1700000000000.json", "{}");
        write(root, "secret.json", "{}");
        Path inside = root.resolve("inside");
        Files.createDirectories(inside);

        try (FakeSparkHistory fake = FakeSparkHistory.serving(inside)) {
            assertThat(get(fake, "/api/v1/applications/local-1/jobs").body()).isEqualTo("no such app: local-1");
            assertThat(get(fake, "/api/v1/../secret").statusCode()).isEqualTo(404);
        }
        try (FakeSparkHistory fake = FakeSparkHistory.serving(root)) {
            HttpResponse<String> r = get(fake, "/api/v1/applications/local-1700000000000/jobs?status=failed");
            assertThat(r.statusCode()).isEqualTo(404);
            assertThat(r.body()).isEqualTo("unknown resource: applications/local-1700000000000/jobs?status=failed");
        }
    }

    @Test
    void servesAClasspathFolderAndAnswersPutInMemory() throws Exception {
        try (FakeSparkHistory fake = FakeSparkHistory.servingClasspath("spark-history-test")) {
            assertThat(get(fake, "/api/v1/version").body()).contains("\"spark\" : \"4.2.0\"");
            fake.put("version", "{\"spark\":\"3.5.1\"}");
            assertThat(get(fake, "/api/v1/version").body()).isEqualTo("{\"spark\":\"3.5.1\"}");
        }
    }

    @Test
    void troubleOnceThenTheRecording() throws Exception {
        try (FakeSparkHistory fake = FakeSparkHistory.empty().put("version", "{}")) {
            fake.failNext("version", Trouble.status(503));
            HttpResponse<String> first = get(fake, "/api/v1/version");
            assertThat(first.statusCode()).isEqualTo(503);
            assertThat(first.body()).contains("HTTP ERROR 503 Service Unavailable");
            assertThat(get(fake, "/api/v1/version").statusCode()).isEqualTo(200);
            assertThat(fake.calls("version")).hasSize(2);
        }
    }

    @Test
    void troubleAlwaysAndThrottling() throws Exception {
        try (FakeSparkHistory fake = FakeSparkHistory.empty().put("version", "{}")) {
            fake.failAlways("", Trouble.throttled(7));
            for (int i = 0; i < 2; i++) {
                HttpResponse<String> r = get(fake, "/api/v1/version");
                assertThat(r.statusCode()).isEqualTo(429);
                assertThat(r.headers().firstValue("Retry-After")).contains("7");
            }
        }
    }

    @Test
    void aHangLastsUntilTheClientGivesUpAndCloseReleasesIt() throws Exception {
        FakeSparkHistory fake = FakeSparkHistory.empty();
        fake.failNext("", Trouble.hang());
        Instant start = Instant.now();
        assertThatThrownBy(() -> get(fake, "/api/v1/version", Duration.ofMillis(300)))
                .isInstanceOf(HttpTimeoutException.class);
        fake.close();
        assertThat(Duration.between(start, Instant.now())).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aDroppedConnectionIsAnIoError() {
        try (FakeSparkHistory fake = FakeSparkHistory.empty()) {
            // always: the JDK client retries an idempotent GET once on a closed connection
            fake.failAlways("", Trouble.drop());
            assertThatThrownBy(() -> get(fake, "/api/v1/version")).isInstanceOf(IOException.class);
        }
    }
}
