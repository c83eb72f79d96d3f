package io.deagent.slack.alert;

import io.deagent.core.FailureEvent;
import java.util.Optional;

/**
 * What someone asked the bot for when they mentioned it.
 *
 * @param text the pasted log (PASTED_LOG), or the message without the bot mention, Slack-unescaped and
 *     trimmed (LOG_LINK, QUESTION: "why", "logs", "help" or free text)
 * @param event the failure to diagnose: present for PASTED_LOG and LOG_LINK, empty for QUESTION
 */
public record Mention(Kind kind, String text, Optional<FailureEvent> event) {

    /** The three things a mention can carry. */
    public enum Kind {
        /** A log pasted into the message (a code block, or several lines that read like a log). */
        PASTED_LOG,
        /** A link to an Airflow log or task page; the log itself is fetched later. */
        LOG_LINK,
        /** Anything else: a question or command about the thread or channel. */
        QUESTION
    }
}
