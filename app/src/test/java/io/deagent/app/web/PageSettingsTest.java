package io.deagent.app.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deagent.app.UsageException;
import io.deagent.runtime.Config;
import java.net.URI;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The page's settings: read, and refused with a one-line reason when they cannot work. */
class PageSettingsTest {

    @Test
    void by_default_the_page_is_for_this_machine_only() {
        PageSettings s = PageSettings.from(Config.of(Map.of()));
        assertThat(s.token()).isEmpty();
        assertThat(s.authHeader()).isEmpty();
        assertThat(s.slackWorkspace()).isEmpty();
    }

    @Test
    void settings_are_read_and_the_workspace_loses_its_trailing_slash() {
        PageSettings s = PageSettings.from(Config.of(Map.of(
                "DE_AGENT_UI_TOKEN", "0123456789abcdef0123",
                "DE_AGENT_UI_AUTH_HEADER", "X-Forwarded-Email",
                "SLACK_WORKSPACE_URL", "https://acme.slack.com/")));
        assertThat(s.token()).contains("0123456789abcdef0123");
        assertThat(s.authHeader()).contains("X-Forwarded-Email");
        assertThat(s.slackWorkspace()).contains(URI.create("https://acme.slack.com"));
    }

    @Test
    void settings_that_cannot_work_are_refused_with_what_to_do() {
        assertThatThrownBy(() -> PageSettings.from(Config.of(Map.of("DE_AGENT_UI_TOKEN", "short"))))
                .isInstanceOf(UsageException.class)
                .hasMessage(
                        "DE_AGENT_UI_TOKEN must be at least 16 characters (generate one with: openssl rand -hex 32)");
        assertThatThrownBy(() -> PageSettings.from(Config.of(Map.of("DE_AGENT_UI_AUTH_HEADER", "X Email"))))
                .hasMessageStartingWith("DE_AGENT_UI_AUTH_HEADER must be a header name");
        assertThatThrownBy(() -> PageSettings.from(Config.of(Map.of("DE_AGENT_UI_AUTH_HEADER", "Authorization"))))
                .hasMessageContaining("not Authorization");
        assertThatThrownBy(() -> PageSettings.from(Config.of(Map.of("SLACK_WORKSPACE_URL", "javascript:alert(1)"))))
                .hasMessageStartingWith("SLACK_WORKSPACE_URL must be your workspace's address");
        assertThatThrownBy(() ->
                        PageSettings.from(Config.of(Map.of("SLACK_WORKSPACE_URL", "https://acme.slack.com/archives"))))
                .isInstanceOf(UsageException.class);
    }
}
