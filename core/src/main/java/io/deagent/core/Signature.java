package io.deagent.core;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A stable fingerprint of a root cause: the category, the exception class, and the message with what
 * changes from run to run masked (timestamps, ids, numbers, hosts, addresses, temp paths). The same failure
 * on another day has the same signature; another column, table or exception does not.
 */
public final class Signature {

    private static final Pattern[] MASKS = {
        Pattern.compile("\\b\\d{4}-\\d{2}-\\d{2}[T _]\\d{2}[:_]\\d{2}[:_]\\d{2}(?:[.,]\\d+)?(?:Z|[+-]\\d{2}:?\\d{2})?"),
        Pattern.compile("(?i)\\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\b"),
        Pattern.compile("(?i)\\b0x[0-9a-f]+\\b"),
        Pattern.compile("\\b\\d{1,3}(?:\\.\\d{1,3}){3}(?::\\d+)?\\b"),
        Pattern.compile("(?i)\\bip-\\d+-\\d+-\\d+-\\d+[\\w.-]*"),
        Pattern.compile("(?i)\\b(?=[0-9a-f]*\\d)[0-9a-f]{4,}\\b"),
        Pattern.compile("/tmp/[^\\s'\"]+|/var/folders/[^\\s'\"]+"),
        Pattern.compile("\\d+"),
    };
    private static final Pattern SPACES = Pattern.compile("\\s+");

    private Signature() {}

    /** The template of a message: what stays the same when the same failure recurs. */
    public static String template(String message) {
        String s = message == null ? "" : message;
        int nl = s.indexOf('\n');
        if (nl >= 0) {
            s = s.substring(0, nl);
        }
        if (s.length() > 400) {
            s = s.substring(0, 400);
        }
        for (Pattern p : MASKS) {
            s = p.matcher(s).replaceAll("#");
        }
        return SPACES.matcher(s).replaceAll(" ").strip();
    }

    /** Sixteen hex digits of SHA-256 over the category, exception class and message template. */
    public static String of(String category, String exceptionClass, String message) {
        String key = category + "|" + (exceptionClass == null ? "" : exceptionClass) + "|"
                + template(message).toLowerCase(Locale.ROOT);
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
