package io.deagent.slack.alert;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Slack's message encoding ("mrkdwn" as it arrives in events): {@code &amp; &lt; &gt;} entities and
 * {@code <…>} control sequences for links, user, channel and special mentions.
 *
 * <p>Slack escapes a literal {@code <} in message text, so in an event every {@code <} starts a control
 * sequence. Text posted by tools into blocks and attachments is often not escaped, though, so a {@code <…>}
 * is only read as a control sequence when it looks like one ({@code <@U…>}, {@code <#C…>}, {@code <!here>},
 * {@code <scheme:…>}); anything else, such as Airflow's {@code <TaskInstance: d.t run [failed]>}, stays
 * literal.
 */
public final class SlackText {

    /** A link as written in the message: its target, and the text Slack shows (the URL when unlabelled). */
    public record Link(String url, String label) {}

    private static final Pattern CONTROL = Pattern.compile("<([^<>\\n]{1,8000})>");
    private static final Pattern URL_TARGET = Pattern.compile("[A-Za-z][A-Za-z0-9+.-]*:\\S+");
    private static final Pattern BARE_URL = Pattern.compile("https?://[^\\s<>|\"'`*]+");
    private static final Pattern TRAILING_PUNCTUATION = Pattern.compile("[.,;:!?)\\]}]+$");
    private static final Pattern PAIRED_UNDERSCORE =
            Pattern.compile("(?<![\\p{L}\\p{N}_])_([^_\\s](?:[^_\\n]*[^_\\s])?)_(?![\\p{L}\\p{N}_])");
    private static final Pattern PAIRED_TILDE = Pattern.compile("(?<!\\S)~([^~\\s](?:[^~\\n]*[^~\\s])?)~(?!\\S)");

    private SlackText() {}

    /** {@code &lt; &gt; &amp;} → {@code < > &}; {@code &amp;} last so that {@code &amp;lt;} stays {@code &lt;}. */
    public static String unescapeEntities(String s) {
        if (s == null || s.indexOf('&') < 0) {
            return s == null ? "" : s;
        }
        return s.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&");
    }

    /**
     * Readable text with nothing lost: a labelled link becomes {@code label (url)} (just the URL when the
     * label only repeats it), mentions become {@code @U123}, {@code #name}, {@code @here}.
     */
    public static String unescape(String raw) {
        return render(raw, true);
    }

    /**
     * The text a reader sees in Slack: a labelled link shows only its label. Parsing sentences such as
     * {@code DAG <url|orders_daily> has failed} needs this form; the URLs are in {@link #linkRefs}.
     */
    public static String displayText(String raw) {
        return render(raw, false);
    }

    /** URLs of http(s) links, in {@code <…>} or bare, in order of appearance, without duplicates. */
    public static List<String> links(String raw) {
        Set<String> urls = new LinkedHashSet<>();
        for (Link link : linkRefs(raw)) {
            if (isWebUrl(link.url())) {
                urls.add(link.url());
            }
        }
        return List.copyOf(urls);
    }

    /** Every link in the message with its label: {@code <url|label>}, {@code <url>} and bare http(s) URLs. */
    public static List<Link> linkRefs(String raw) {
        List<Link> out = new ArrayList<>();
        if (raw == null || raw.isEmpty()) {
            return out;
        }
        Matcher m = CONTROL.matcher(raw);
        int last = 0;
        while (m.find()) {
            bareLinks(raw.substring(last, m.start()), out);
            Link link = asLink(m.group(1));
            if (link != null) {
                out.add(link);
            } else {
                // Not a control sequence: a literal "<…>" may still hold a bare URL.
                bareLinks(m.group(), out);
            }
            last = m.end();
        }
        bareLinks(raw.substring(last), out);
        return out;
    }

    /**
     * Drops {@code *bold*}, {@code `code`}, {@code _italic_} and {@code ~strike~} markers from one field line,
     * so that {@code *Dag*: x}, {@code * Dag*: x} and {@code dagid=*x*} read as {@code Dag: x} and {@code dagid=x}.
     * Every {@code *} and backtick goes (Airflow ids never contain them); underscores only when they wrap a
     * word, because ids are full of them. Not for free text or exception messages.
     */
    public static String stripEmphasis(String line) {
        if (line == null) {
            return "";
        }
        String s = line.replace("*", "").replace("`", "");
        s = PAIRED_UNDERSCORE.matcher(s).replaceAll("$1");
        return PAIRED_TILDE.matcher(s).replaceAll("$1");
    }

    static boolean isWebUrl(String url) {
        String lower = url.toLowerCase(java.util.Locale.ROOT);
        return lower.startsWith("http://") || lower.startsWith("https://");
    }

    private static String render(String raw, boolean withUrls) {
        if (raw == null || raw.isEmpty()) {
            return "";
        }
        StringBuilder out = new StringBuilder(raw.length());
        Matcher m = CONTROL.matcher(raw);
        int last = 0;
        while (m.find()) {
            out.append(unescapeEntities(raw.substring(last, m.start())));
            out.append(renderControl(m.group(1), withUrls));
            last = m.end();
        }
        out.append(unescapeEntities(raw.substring(last)));
        return out.toString();
    }

    private static String renderControl(String body, boolean withUrls) {
        String target = before(body, '|');
        String label = after(body, '|');
        switch (body.charAt(0)) {
            case '@' -> {
                // <@U123> or <@U123|name>: Slack shows the user's name; the id is all we have otherwise.
                return "@" + unescapeEntities(label != null ? label : target.substring(1));
            }
            case '#' -> {
                return "#" + unescapeEntities(label != null ? label : target.substring(1));
            }
            case '!' -> {
                return special(target.substring(1), label);
            }
            default -> {
                Link link = asLink(body);
                if (link == null) {
                    return "<" + unescapeEntities(body) + ">";
                }
                if (!withUrls || sameAsUrl(link)) {
                    return withUrls ? link.url() : link.label();
                }
                return link.label() + " (" + link.url() + ")";
            }
        }
    }

    /** {@code <!here>}, {@code <!channel>}, {@code <!subteam^S1|@team>}, {@code <!date^…|fallback>}. */
    private static String special(String target, String label) {
        if (label != null && !label.isBlank()) {
            String l = unescapeEntities(label);
            return target.startsWith("date^") || l.startsWith("@") ? l : "@" + l;
        }
        int caret = target.indexOf('^');
        return "@" + (caret < 0 ? target : target.substring(caret + 1));
    }

    private static Link asLink(String body) {
        char first = body.charAt(0);
        if (first == '@' || first == '#' || first == '!') {
            return null;
        }
        String target = unescapeEntities(before(body, '|'));
        if (!URL_TARGET.matcher(target).matches()) {
            return null;
        }
        String label = after(body, '|');
        return new Link(target, label == null || label.isBlank() ? target : unescapeEntities(label));
    }

    private static boolean sameAsUrl(Link link) {
        String url = link.url();
        String label = link.label();
        return label.equals(url)
                || url.endsWith("://" + label)
                || url.equals("mailto:" + label)
                || url.equals("tel:" + label);
    }

    private static void bareLinks(String text, List<Link> out) {
        Matcher m = BARE_URL.matcher(text);
        while (m.find()) {
            String url = unescapeEntities(m.group());
            // "&gt;" / "&lt;" right after a URL are quoting, not part of it.
            int cut = indexOfAny(url, '<', '>');
            if (cut >= 0) {
                url = url.substring(0, cut);
            }
            url = TRAILING_PUNCTUATION.matcher(url).replaceAll("");
            if (url.length() > "https://".length()) {
                out.add(new Link(url, url));
            }
        }
    }

    private static int indexOfAny(String s, char a, char b) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) == a || s.charAt(i) == b) {
                return i;
            }
        }
        return -1;
    }

    private static String before(String s, char c) {
        int i = s.indexOf(c);
        return i < 0 ? s : s.substring(0, i);
    }

    private static String after(String s, char c) {
        int i = s.indexOf(c);
        return i < 0 ? null : s.substring(i + 1);
    }
}
