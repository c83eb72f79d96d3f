package io.deagent.slack;

import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.SlackApiTextResponse;
import java.io.IOException;
import java.time.Duration;
import java.util.Set;

/**
 * The few Slack Web API calls de-agent makes, with every failure mapped once into {@link SlackCallException}:
 * rate limited (with Slack's {@code Retry-After}), unavailable (network, 5xx: try again) or rejected (an
 * error code that no retry will fix, such as {@code invalid_auth} or {@code channel_not_found}).
 */
public final class SlackWebApi {

    /** Error codes that mean "fix the configuration", not "try again". */
    static final Set<String> PERMANENT = Set.of(
            "invalid_auth",
            "not_authed",
            "account_inactive",
            "token_revoked",
            "token_expired",
            "no_permission",
            "missing_scope",
            "channel_not_found",
            "not_in_channel",
            "is_archived",
            "msg_too_long",
            "no_text",
            "invalid_blocks",
            "invalid_blocks_format",
            "message_not_found",
            "cant_update_message",
            "edit_window_closed",
            "restricted_action",
            "team_access_not_granted");

    private final MethodsClient methods;

    public SlackWebApi(Slack slack, String botToken) {
        this.methods = slack.methods(botToken);
    }

    /** A Slack client pointed at {@code apiUrl} (the real API or a fake), with bounded timeouts. */
    public static Slack client(String apiUrl) {
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(apiUrl.endsWith("/") ? apiUrl : apiUrl + "/");
        config.setHttpClientReadTimeoutMillis(10_000);
        config.setHttpClientWriteTimeoutMillis(10_000);
        config.setHttpClientCallTimeoutMillis(15_000);
        config.setStatsEnabled(false);
        return Slack.getInstance(config);
    }

    /** A failed call, classified. */
    public abstract static sealed class SlackCallException extends RuntimeException
            permits RateLimited, Unavailable, Rejected {
        SlackCallException(String message) {
            super(message);
        }
    }

    public static final class RateLimited extends SlackCallException {
        private final Duration retryAfter;

        RateLimited(String method, Duration retryAfter) {
            super(method + ": rate limited, retry after " + retryAfter.toSeconds() + " s");
            this.retryAfter = retryAfter;
        }

        public Duration retryAfter() {
            return retryAfter;
        }
    }

    public static final class Unavailable extends SlackCallException {
        Unavailable(String message) {
            super(message);
        }
    }

    public static final class Rejected extends SlackCallException {
        private final String error;

        Rejected(String method, String error) {
            super(method + ": " + error);
            this.error = error;
        }

        public String error() {
            return error;
        }
    }

    /** Who the bot is. */
    public record Identity(String userId, String botId, String team) {}

    public Identity authTest() {
        var r = call("auth.test", () -> methods.authTest(req -> req));
        return new Identity(r.getUserId(), r.getBotId(), r.getTeam());
    }

    /** Posts in a thread ({@code threadTs} null for a new message); returns the new message's ts. */
    public String post(String channel, String threadTs, String text, String blocksJson) {
        var r = call(
                "chat.postMessage",
                () -> methods.chatPostMessage(req -> req.channel(channel)
                        .threadTs(threadTs)
                        .text(text)
                        .blocksAsString(blocksJson)
                        .unfurlLinks(false)
                        .unfurlMedia(false)));
        return r.getTs();
    }

    public void update(String channel, String ts, String text, String blocksJson) {
        call(
                "chat.update",
                () -> methods.chatUpdate(
                        req -> req.channel(channel).ts(ts).text(text).blocksAsString(blocksJson)));
    }

    /** The channel's name, to match names in SLACK_CHANNELS and for {@code doctor}. */
    public String channelName(String channelId) {
        var r = call("conversations.info", () -> methods.conversationsInfo(req -> req.channel(channelId)));
        return r.getChannel() == null ? channelId : r.getChannel().getName();
    }

    @FunctionalInterface
    private interface Call<T> {
        T run() throws IOException, SlackApiException;
    }

    private static <T extends SlackApiTextResponse> T call(String method, Call<T> call) {
        T response;
        try {
            response = call.run();
        } catch (SlackApiException e) {
            int code = e.getResponse() == null ? 0 : e.getResponse().code();
            if (code == 429) {
                throw new RateLimited(method, retryAfter(e.getResponse().header("Retry-After")));
            }
            if (e.getError() != null && e.getError().getError() != null) {
                return rejectOrRetry(method, e.getError().getError());
            }
            throw new Unavailable(method + ": HTTP " + code);
        } catch (IOException e) {
            throw new Unavailable(method + ": " + e.getClass().getSimpleName()
                    + (e.getMessage() == null ? "" : ": " + e.getMessage()));
        }
        if (response.isOk()) {
            return response;
        }
        return rejectOrRetry(method, response.getError());
    }

    private static <T> T rejectOrRetry(String method, String error) {
        if ("ratelimited".equals(error)) {
            throw new RateLimited(method, Duration.ofSeconds(30));
        }
        if (error != null && PERMANENT.contains(error)) {
            throw new Rejected(method, error);
        }
        throw new Unavailable(method + ": " + error);
    }

    static Duration retryAfter(String header) {
        try {
            long s = header == null ? 30 : Long.parseLong(header.trim());
            return Duration.ofSeconds(Math.max(1, Math.min(s, 3600)));
        } catch (NumberFormatException e) {
            return Duration.ofSeconds(30);
        }
    }
}
