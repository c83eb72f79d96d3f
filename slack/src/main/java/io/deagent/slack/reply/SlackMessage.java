package io.deagent.slack.reply;

/**
 * One reply, ready for {@code chat.postMessage} or {@code chat.update}.
 *
 * @param text the fallback Slack shows in notifications and reads to screen readers (mrkdwn, already neutralised)
 * @param blocksJson the Block Kit blocks as a JSON array string, as the {@code blocks} argument takes them
 */
public record SlackMessage(String text, String blocksJson) {}
