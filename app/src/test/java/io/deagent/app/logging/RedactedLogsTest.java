package io.deagent.app.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.classic.spi.LoggingEvent;
import java.nio.charset.StandardCharsets;
import net.logstash.logback.encoder.LogstashEncoder;
import org.junit.jupiter.api.Test;

/** The production logback.xml: JSON lines with secrets masked, whatever part of the event they are in. */
class RedactedLogsTest {

    @Test
    void secrets_in_messages_and_arguments_are_masked_in_the_json_lines() throws Exception {
        LoggerContext context = new LoggerContext();
        JoranConfigurator configurator = new JoranConfigurator();
        configurator.setContext(context);
        configurator.doConfigure(RedactedLogsTest.class.getResource("/logback.xml"));
        var appender = (ch.qos.logback.core.ConsoleAppender<?>)
                context.getLogger("ROOT").getAppender("console");
        var encoder = (LogstashEncoder) appender.getEncoder();

        var logger = context.getLogger("io.deagent.test");
        LoggingEvent event = new LoggingEvent(
                "fqcn",
                logger,
                ch.qos.logback.classic.Level.WARN,
                "cannot open jdbc:postgresql://etl:s3cr3tPass@db:5432/dw with token={}",
                null,
                new Object[] {"xoxb-123456789012-abcdefghijkl"});
        event.setMDCPropertyMap(java.util.Map.of("correlation_id", "c1", "owner", "jane.doe@example.com"));
        String line = new String(encoder.encode(event), StandardCharsets.UTF_8);

        assertThat(line).contains("\"correlation_id\":\"c1\"", "db:5432/dw");
        assertThat(line).doesNotContain("s3cr3tPass", "xoxb-123456789012", "jane.doe@example.com");
    }
}
