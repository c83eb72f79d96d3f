package io.deagent.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.net.http.HttpRequest;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Requests as Slack sends them to an app's Request URL, signed with Slack's v0 algorithm:
 * {@code X-Slack-Signature: v0=hex(HMAC-SHA256(signing secret, "v0:" + timestamp + ":" + body))}.
 */
public final class SlackRequests {

    private SlackRequests() {}

    public static String signature(String signingSecret, long timestamp, String body) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(signingSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            byte[] digest = mac.doFinal(("v0:" + timestamp + ":" + body).getBytes(StandardCharsets.UTF_8));
            return "v0=" + HexFormat.of().formatHex(digest);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A signed Events API POST; {@code retryNum} > 0 adds Slack's retry headers. */
    public static HttpRequest eventPost(URI url, String signingSecret, long timestamp, String body, int retryNum) {
        HttpRequest.Builder b = HttpRequest.newBuilder(url)
                .header("Content-Type", "application/json")
                .header("X-Slack-Request-Timestamp", String.valueOf(timestamp))
                .header("X-Slack-Signature", signature(signingSecret, timestamp, body))
                .POST(HttpRequest.BodyPublishers.ofString(body));
        if (retryNum > 0) {
            b.header("X-Slack-Retry-Num", String.valueOf(retryNum)).header("X-Slack-Retry-Reason", "http_timeout");
        }
        return b.build();
    }

    /**
     * An Events API {@code event_callback} envelope around {@code event}, as Slack delivers it to app
     * {@code A0DEAGENT} installed in the fake's team, with the bot's authorization.
     */
    public static ObjectNode eventCallback(JsonNode event, String eventId) {
        ObjectNode e = new ObjectMapper()
                .createObjectNode()
                .put("token", "verification-token")
                .put("team_id", FakeSlackApi.TEAM_ID)
                .put("api_app_id", "A0DEAGENT")
                .put("type", "event_callback")
                .put("event_id", eventId)
                .put("event_time", Instant.now().getEpochSecond());
        e.set("event", event);
        e.putArray("authorizations")
                .addObject()
                .put("team_id", FakeSlackApi.TEAM_ID)
                .put("user_id", FakeSlackApi.BOT_USER_ID)
                .put("is_bot", true);
        return e;
    }
}
