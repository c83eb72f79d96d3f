package io.deagent.slack.reply;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Makes untrusted text (log lines, exception messages, event fields, anything derived from them) safe to put in
 * Slack mrkdwn: nothing in a log may ping, mention, link or reshape the reply.
 *
 * <ul>
 *   <li><b>Control sequences.</b> Slack reads {@code <!channel>}, {@code <!here>}, {@code <@U…>}, {@code <#C…>},
 *       {@code <!subteam^…>} and {@code <url|label>} everywhere, code blocks included. Slack's own rule is to
 *       escape {@code &}, {@code <} and {@code >} as {@code &amp;}, {@code &lt;}, {@code &gt;}; then none of them
 *       can form, and Slack shows the characters as they were.
 *   <li><b>Bare broadcasts.</b> {@code @here}, {@code @channel} and {@code @everyone} get a zero-width space after
 *       the {@code @}, so a client posting with {@code link_names} still cannot turn them into a broadcast.
 *   <li><b>Formatting.</b> Slack has no escape character for {@code * _ ~ `}. A zero-width space is not a
 *       reliable guard either: Slack treats it as a word boundary (it is the known trick to <i>make</i> part of a
 *       word bold), so it can switch formatting on as easily as off. Nothing is formatted inside an inline code
 *       span, so every word of untrusted text that holds a formatting character, or a URL Slack would auto-link,
 *       is wrapped in one. Such words are nearly always identifiers ({@code customer_idd}, {@code spark.sql.*},
 *       {@code s3://bucket/key}) that read best as code anyway, and unlike invisible characters a code span keeps
 *       them byte for byte, so they paste cleanly into psql or a shell. Backticks inside become {@code ˋ}.
 *   <li><b>Code blocks.</b> Three backticks in the text would close the block early, so a zero-width space is
 *       put between adjacent backticks: they look the same and no run of three remains.
 * </ul>
 */
public final class SlackMrkdwn {

    static final char ZWSP = '\u200B';

    /** What a backtick inside an inline code span becomes: a span cannot hold its own delimiter. */
    static final char BACKTICK_LOOKALIKE = '\u02CB';

    private static final Pattern BROADCAST = Pattern.compile("(?i)@(here|channel|everyone)\\b");
    private static final Pattern WORD = Pattern.compile("\\S+");

    /**
     * Punctuation that opens or ends a sentence stays outside the code span, where it reads as prose. Not
     * {@code ;}: it ends the entities {@link #escape} wrote.
     */
    private static final String LEADING = "\"'([{";

    private static final String TRAILING = "\"')]},.:!?";

    private SlackMrkdwn() {}

    /** Untrusted text for a mrkdwn field: escaped, broadcasts defused, formatting-prone words in code spans. */
    public static String neutralise(String text) {
        String escaped = defuseBroadcasts(escape(text == null ? "" : text));
        Matcher m = WORD.matcher(escaped);
        StringBuilder out = new StringBuilder(escaped.length() + 16);
        int last = 0;
        while (m.find()) {
            out.append(escaped, last, m.start());
            out.append(word(m.group()));
            last = m.end();
        }
        return out.append(escaped, last, escaped.length()).toString();
    }

    /** An untrusted value as one inline code span (on one line, as a span cannot cross lines). */
    public static String code(String value) {
        String v = value == null ? "" : value.replaceAll("\\s*\\R\\s*", " ").strip();
        if (v.isEmpty()) {
            return "–";
        }
        return "`" + defuseBroadcasts(escape(v)).replace('`', BACKTICK_LOOKALIKE) + "`";
    }

    /** Untrusted lines as a fenced code block that the text itself cannot close or escape from. */
    public static String codeBlock(String text) {
        return "```\n" + codeBlockBody(text) + "\n```";
    }

    /**
     * What {@link #codeBlock} puts between the fences. Lines can be escaped one at a time and joined with
     * newlines: the result is the same, which lets a caller measure each line against a size budget.
     */
    static String codeBlockBody(String text) {
        return separateBackticks(defuseBroadcasts(escape(text == null ? "" : text)));
    }

    /** {@code &}, {@code <}, {@code >} as Slack asks; nothing else is an entity in mrkdwn. */
    static String escape(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> out.append("&amp;");
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }

    static String defuseBroadcasts(String s) {
        return BROADCAST.matcher(s).replaceAll("@" + ZWSP + "$1");
    }

    /** Cuts at {@code max} characters with an ellipsis, never inside a surrogate pair. */
    static String clip(String s, int max) {
        if (s.length() <= max) {
            return s;
        }
        if (max <= 1) {
            return "…";
        }
        int end = max - 1;
        if (Character.isHighSurrogate(s.charAt(end - 1))) {
            end--;
        }
        return s.substring(0, end) + "…";
    }

    private static String word(String w) {
        if (!needsCode(w)) {
            return w;
        }
        int start = 0;
        int end = w.length();
        while (start < end && LEADING.indexOf(w.charAt(start)) >= 0) {
            start++;
        }
        while (end > start && TRAILING.indexOf(w.charAt(end - 1)) >= 0) {
            end--;
        }
        String core = w.substring(start, end);
        if (core.isEmpty() || !needsCode(core)) {
            // the formatting character sat in the punctuation we peeled off: code the whole word instead
            return "`" + w.replace('`', BACKTICK_LOOKALIKE) + "`";
        }
        return w.substring(0, start) + "`" + core.replace('`', BACKTICK_LOOKALIKE) + "`" + w.substring(end);
    }

    private static boolean needsCode(String w) {
        for (int i = 0; i < w.length(); i++) {
            char c = w.charAt(i);
            if (c == '*' || c == '_' || c == '~' || c == '`') {
                return true;
            }
        }
        return w.contains("://") || w.toLowerCase(java.util.Locale.ROOT).contains("www.");
    }

    private static String separateBackticks(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            out.append(c);
            if (c == '`' && i + 1 < s.length() && s.charAt(i + 1) == '`') {
                out.append(ZWSP);
            }
        }
        return out.toString();
    }
}
