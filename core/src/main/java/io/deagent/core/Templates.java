package io.deagent.core;

import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fills rule texts: {@code {key}} is an entity's value; {@code {key? text}} keeps "text" (itself with
 * placeholders) only when the entity is known. Unknown placeholders are dropped, never printed raw.
 */
public final class Templates {

    private static final Pattern OPTIONAL = Pattern.compile("\\{(\\w+)\\?([^{}]*(?:\\{\\w+\\}[^{}]*)*)\\}");
    private static final Pattern VALUE = Pattern.compile("\\{(\\w+)\\}");

    private Templates() {}

    public static String render(String template, Map<String, String> values) {
        if (template == null) {
            return "";
        }
        Matcher o = OPTIONAL.matcher(template);
        StringBuilder sb = new StringBuilder();
        while (o.find()) {
            String body = values.containsKey(o.group(1)) ? o.group(2) : "";
            o.appendReplacement(sb, Matcher.quoteReplacement(body));
        }
        o.appendTail(sb);
        Matcher v = VALUE.matcher(sb.toString());
        StringBuilder out = new StringBuilder();
        while (v.find()) {
            v.appendReplacement(out, Matcher.quoteReplacement(values.getOrDefault(v.group(1), "")));
        }
        v.appendTail(out);
        return out.toString().replaceAll("  +", " ").strip();
    }
}
