package io.deagent.slack;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.Slack;
import com.slack.api.app_backend.SlackSignature;
import com.slack.api.bolt.App;
import com.slack.api.bolt.AppConfig;
import com.slack.api.bolt.middleware.builtin.RequestVerification;
import com.slack.api.bolt.request.RequestHeaders;
import com.slack.api.bolt.request.RequestType;
import com.slack.api.bolt.response.Response;
import com.slack.api.bolt.util.SlackRequestParser;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /slack/events} through Bolt for Java, behind our own HTTP route: Bolt checks the signature
 * (v0, 5-minute window) and answers {@code url_verification}; every verified event callback goes to the
 * sink, which must only record it (durably, quickly) so Slack gets its 200 well within 3 seconds.
 */
public final class SlackDoor {

    private static final Logger log = LoggerFactory.getLogger(SlackDoor.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /**
     * Receives each verified event callback envelope; must be quick and must not lose what it acks. A sink that
     * cannot record the event (its store or queue is down) throws {@link SinkUnavailable}: Slack gets a 503 and
     * delivers the event again.
     */
    @FunctionalInterface
    public interface EventSink {
        void accept(JsonNode envelope, Optional<Integer> retryNum);
    }

    /** The sink could not record an event for now; Slack retries it. The message is logged, never sent. */
    public static final class SinkUnavailable extends RuntimeException {
        public SinkUnavailable(String message) {
            super(message);
        }
    }

    /** What to answer Slack. */
    public record Answer(int status, String contentType, String body) {}

    private final App app;
    private final SlackRequestParser parser;

    public SlackDoor(String signingSecret, String botToken, Slack slack, EventSink sink) {
        AppConfig config = AppConfig.builder()
                .signingSecret(signingSecret)
                .singleTeamBotToken(botToken)
                .slack(slack)
                .ignoringSelfEventsEnabled(false)
                .build();
        // Only Bolt's request verification runs before our middleware. Its default chain also authorizes
        // each request with a Web API call (auth.test, bots.info): that would put Slack's API on the path
        // of the 3-second acknowledgement, and a Slack outage would turn events into 500s. Our own messages
        // are recognised by bot and user id when alerts are read.
        this.app = new App(
                config,
                slack,
                // mutable: app.use below appends our middleware to it
                new java.util.ArrayList<>(List.of(new RequestVerification(
                        new SlackSignature.Verifier(new SlackSignature.Generator(signingSecret))))));
        // after Bolt's own middleware (request verification, authorization, ignoring our own events)
        app.use((req, resp, chain) -> {
            if (req.getRequestType() != RequestType.Event) {
                return chain.next(req);
            }
            JsonNode envelope = JSON.readTree(req.getRequestBodyAsString());
            sink.accept(envelope, retryNum(req.getHeaders()));
            return Response.ok();
        });
        this.parser = new SlackRequestParser(app.config());
    }

    public Answer handle(String body, Map<String, List<String>> headers, String remoteAddress) {
        com.slack.api.bolt.request.Request<?> request;
        try {
            request = parser.parse(SlackRequestParser.HttpRequest.builder()
                    .requestUri("/slack/events")
                    .requestBody(body)
                    .headers(new RequestHeaders(headers))
                    .remoteAddress(remoteAddress)
                    .build());
        } catch (com.google.gson.JsonParseException | IllegalArgumentException | IllegalStateException e) {
            // not a Slack request at all; nothing was verified or recorded
            log.warn(
                    "malformed Slack request from {}: {}",
                    remoteAddress,
                    e.getClass().getSimpleName());
            return new Answer(400, "application/json", "{\"error\":\"malformed request body\"}");
        }
        try {
            Response r = app.run(request);
            int status = r.getStatusCode() == null ? 200 : r.getStatusCode();
            if (status == 401) {
                // say nothing more to an unauthenticated caller
                return new Answer(401, "application/json", "{\"error\":\"unauthorized\"}");
            }
            return new Answer(
                    status,
                    r.getContentType() == null ? "text/plain; charset=utf-8" : r.getContentType(),
                    r.getBody() == null ? "" : r.getBody());
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof SinkUnavailable u) {
                    log.warn("Slack event not recorded, Slack will retry: {}", u.getMessage());
                    return new Answer(503, "application/json", "{\"error\":\"unavailable; retry\"}");
                }
            }
            log.error("cannot handle a Slack request: {}", e.toString(), e);
            // a 500 makes Slack retry, and a retry is deduplicated on event_id
            return new Answer(500, "application/json", "{\"error\":\"internal error\"}");
        }
    }

    private static Optional<Integer> retryNum(RequestHeaders headers) {
        String v = headers.getFirstValue("X-Slack-Retry-Num");
        try {
            return v == null ? Optional.empty() : Optional.of(Integer.parseInt(v.trim()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }
}
