package io.deagent.sources.cloudwatch;

import java.nio.charset.StandardCharsets;

/**
 * Links into the CloudWatch console, for the on-call engineer who wants the whole log. The console keeps the
 * log group and stream in the URL fragment, percent-encoded as JavaScript's {@code encodeURIComponent} does and
 * then with every {@code %} written as {@code $25}: {@code /aws/lambda/f} becomes {@code $252Faws$252Flambda$252Ff}.
 */
public final class ConsoleLinks {

    private ConsoleLinks() {}

    /** The log events of one stream. */
    public static String logStream(String region, String group, String stream) {
        return logGroup(region, group) + "/log-events/" + fragment(stream);
    }

    /** One log group. */
    public static String logGroup(String region, String group) {
        return home(region) + "#logsV2:log-groups/log-group/" + fragment(group);
    }

    /** The CloudWatch console of a region, in its partition (commercial, China, GovCloud). */
    static String home(String region) {
        String host;
        if (region.startsWith("cn-")) {
            host = "console.amazonaws.cn";
        } else if (region.startsWith("us-gov-")) {
            host = "console.amazonaws-us-gov.com";
        } else {
            host = region + ".console.aws.amazon.com";
        }
        return "https://" + host + "/cloudwatch/home?region=" + encodeUriComponent(region);
    }

    static String fragment(String name) {
        return encodeUriComponent(name).replace("%", "$25");
    }

    /** JavaScript's {@code encodeURIComponent}: everything but {@code A-Z a-z 0-9 - _ . ! ~ * ' ( )} is escaped. */
    static String encodeUriComponent(String s) {
        StringBuilder out = new StringBuilder(s.length() * 3);
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if ((c >= 'A' && c <= 'Z')
                    || (c >= 'a' && c <= 'z')
                    || (c >= '0' && c <= '9')
                    || "-_.!~*'()".indexOf(c) >= 0) {
                out.append((char) c);
            } else {
                out.append('%')
                        .append(Character.toUpperCase(Character.forDigit(c >> 4, 16)))
                        .append(Character.toUpperCase(Character.forDigit(c & 0xf, 16)));
            }
        }
        return out.toString();
    }
}
