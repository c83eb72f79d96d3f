package io.deagent.publish.notify;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.GreenMailUtil;
import com.icegreen.greenmail.util.ServerSetup;
import io.deagent.publish.Incidents;
import jakarta.mail.internet.MimeMessage;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EmailNotifierTest {

    private GreenMail smtp;

    @BeforeEach
    void start() {
        smtp = new GreenMail(new ServerSetup(0, "127.0.0.1", ServerSetup.PROTOCOL_SMTP).dynamicPort());
        smtp.start();
    }

    @AfterEach
    void stop() {
        smtp.stop();
    }

    private Optional<EmailNotifier> notifier(Map<String, String> extra) {
        Map<String, String> base = Map.of(
                "SMTP_HOST", "127.0.0.1",
                "SMTP_PORT", String.valueOf(smtp.getSmtp().getPort()),
                "SMTP_TLS", "none",
                "DE_AGENT_EMAIL_FROM", "de-agent@example.com",
                "DE_AGENT_EMAIL_TO", "oncall@example.com, lead@example.com");
        return EmailNotifier.from(name -> Optional.ofNullable(extra.getOrDefault(name, base.get(name))));
    }

    @Test
    void sendsTheDiagnosisAndThePullRequestToARealSmtpServer() throws Exception {
        EmailNotifier email = notifier(Map.of()).orElseThrow();
        assertThat(email.check()).contains("accepts a connection");
        Notice n = new Notice(
                7,
                Incidents.event(),
                Incidents.oom(),
                Optional.of("Pull request #3: raise executor memory"),
                Optional.of("https://github.example/acme/pipelines/pull/3"),
                Optional.of("https://de-agent.example/incidents/7"));

        String id = email.send(n);

        assertThat(smtp.waitForIncomingEmail(5_000, 2)).isTrue();
        MimeMessage[] got = smtp.getReceivedMessages();
        assertThat(got).hasSize(2);
        assertThat(got[0].getMessageID()).isEqualTo(id);
        assertThat(got[0].getSubject())
                .isEqualTo("[de-agent] daily_orders.transform_orders failed: "
                        + n.diagnosis().title());
        assertThat(got[0].getHeader("X-De-Agent-Incident")).containsExactly("7");
        String body = GreenMailUtil.getBody(got[0]);
        assertThat(n.text())
                .contains("Category: out_of_memory_executor")
                .contains("Pull request: https://github.example/acme/pipelines/pull/3")
                .contains("java.lang.OutOfMemoryError: Java heap space")
                .contains("Incident: https://de-agent.example/incidents/7");
        assertThat(body).contains("out_of_memory_executor");
    }

    @Test
    void offUntilConfiguredAndHalfAConfigurationIsAnError() {
        assertThat(EmailNotifier.from(name -> Optional.empty())).isEmpty();
        assertThatThrownBy(() -> EmailNotifier.from(
                        name -> Optional.ofNullable(name.equals("SMTP_HOST") ? "smtp.example.com" : null)))
                .hasMessageContaining("DE_AGENT_EMAIL_TO");
        assertThatThrownBy(() -> notifier(Map.of("DE_AGENT_EMAIL_TO", "not an address@@")))
                .hasMessageContaining("not valid");
    }

    @Test
    void aServerThatIsDownIsARetriableError() {
        EmailNotifier email = notifier(Map.of()).orElseThrow();
        smtp.stop();
        assertThatThrownBy(() -> email.send(new Notice(
                        1, Incidents.event(), Incidents.oom(), Optional.empty(), Optional.empty(), Optional.empty())))
                .isInstanceOf(Notifier.NotifyException.class)
                .hasMessageContaining("cannot send e-mail through 127.0.0.1")
                .matches(e -> ((Notifier.NotifyException) e).retriable());
    }
}
