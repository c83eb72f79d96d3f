package io.deagent.slack.reply;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.slack.api.Slack;
import com.slack.api.SlackConfig;
import com.slack.api.methods.MethodsClient;
import com.slack.api.methods.SlackApiException;
import com.slack.api.methods.response.chat.ChatPostMessageResponse;
import io.deagent.core.Diagnosis;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.log.LogReader;
import io.deagent.testkit.FakeSlackApi;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The rendered replies go through the real Slack SDK to a fake Slack at the wire, unchanged. */
class ReplyPostingTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final FakeSlackApi fake = FakeSlackApi.start();
    private final Slack slack = Slack.getInstance(config(fake.baseUrl()));
    private final MethodsClient methods = slack.methods(fake.token());

    @AfterEach
    void stop() throws Exception {
        fake.close();
        slack.close();
    }

    @Test
    void investigatingThenTheResultInItsThreadArriveAsRendered() throws Exception {
        FailureEvent e = FailureEvents.parse(
                "{\"dag_id\":\"daily_orders\",\"task_id\":\"load_orders\",\"run_id\":\"manual__1\",\"try_number\":2}",
                FailureEvent.Origin.SLACK);
        Diagnosis d = LogDiagnoser.builtIn()
                .diagnose(
                        new LogReader()
                                .read("psycopg2.errors.UndefinedColumn: column \"customer_idd\" does not exist"
                                        + " <!channel>\n"),
                        Optional.of(e),
                        List.of());
        SlackMessage first = ReplyRenderer.investigating(e);
        SlackMessage result = ReplyRenderer.result(e, d, Optional.empty());

        ChatPostMessageResponse posted = methods.chatPostMessage(
                r -> r.channel("C0ALERTS").text(first.text()).blocksAsString(first.blocksJson()));
        ChatPostMessageResponse reply = methods.chatPostMessage(r -> r.channel("C0ALERTS")
                .threadTs(posted.getTs())
                .text(result.text())
                .blocksAsString(result.blocksJson()));

        assertThat(posted.isOk()).as(posted.getError()).isTrue();
        assertThat(reply.isOk()).as(reply.getError()).isTrue();
        assertThat(reply.getMessage().getThreadTs()).isEqualTo(posted.getTs());
        FakeSlackApi.Call call =
                fake.awaitCall("chat.postMessage", c -> c.param("thread_ts").isPresent(), Duration.ofSeconds(5));
        assertThat(call.params()).containsEntry("text", result.text());
        assertThat(JSON.readTree(call.params().get("blocks"))).isEqualTo(JSON.readTree(result.blocksJson()));
        assertThat(call.params().get("blocks")).doesNotContain("<!channel>").contains("`missing_column`");
        assertThat(call.header("Authorization")).contains("Bearer xoxb-test");
    }

    @Test
    void aRateLimitReachesTheSdkAsA429WithRetryAfter() {
        fake.failNext("chat.postMessage", 1, FakeSlackApi.Failure.rateLimited(3));
        SlackMessage help = ReplyRenderer.help();

        assertThatThrownBy(() -> methods.chatPostMessage(
                        r -> r.channel("C0ALERTS").text(help.text()).blocksAsString(help.blocksJson())))
                .isInstanceOfSatisfying(SlackApiException.class, ex -> {
                    assertThat(ex.getResponse().code()).isEqualTo(429);
                    assertThat(ex.getResponse().header("Retry-After")).isEqualTo("3");
                });
    }

    @Test
    void aSlackErrorIsAnOkFalseResponse() throws Exception {
        fake.failNext("chat.postMessage", 1, FakeSlackApi.Failure.slackError("not_in_channel"));
        SlackMessage help = ReplyRenderer.help();

        ChatPostMessageResponse response = methods.chatPostMessage(
                r -> r.channel("C0ALERTS").text(help.text()).blocksAsString(help.blocksJson()));

        assertThat(response.isOk()).isFalse();
        assertThat(response.getError()).isEqualTo("not_in_channel");
    }

    private static SlackConfig config(String baseUrl) {
        SlackConfig config = new SlackConfig();
        config.setMethodsEndpointUrlPrefix(baseUrl);
        return config;
    }
}
