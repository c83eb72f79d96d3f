package io.deagent.sources.airflow;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

/**
 * Percent-encoding for the URLs we build. Run ids hold {@code :} and {@code +}
 * ({@code scheduled__2026-11-20T03:00:00+00:00}); {@link java.net.URLEncoder} is form encoding and would turn a
 * space into {@code +}, and some servers read a literal {@code +} in a path as a space. So every byte outside
 * RFC 3986's unreserved set is escaped: {@code :} → {@code %3A}, {@code +} → {@code %2B}, space → {@code %20}.
 */
final class UrlEncoding {

    private UrlEncoding() {}

    /** One path segment or query component, strictly: only {@code A-Z a-z 0-9 - . _ ~} stay as they are. */
    static String strict(String value) {
        return encode(value, "");
    }

    /**
     * A path segment for MWAA's InvokeRestApi {@code Path}: MWAA builds the webserver request from it, and
     * Airflow's own {@code MwaaHook} users pass run ids there unescaped, so {@code :} and {@code +} (legal in a
     * path) stay as they are, lest MWAA escape our escapes; only what cannot stand in a path segment is escaped.
     */
    static String lenient(String value) {
        return encode(value, ":+@!$&'()*,;=");
    }

    /** {@code /a/b/c} from raw segments. */
    static String path(List<String> segments, boolean lenient) {
        StringBuilder out = new StringBuilder();
        for (String s : segments) {
            out.append('/').append(lenient ? lenient(s) : strict(s));
        }
        return out.toString();
    }

    /** {@code k=v&k2=v2}, both sides strictly encoded; empty for no parameters. */
    static String query(Map<String, String> params) {
        StringBuilder out = new StringBuilder();
        params.forEach((k, v) -> {
            if (!out.isEmpty()) {
                out.append('&');
            }
            out.append(strict(k)).append('=').append(strict(v));
        });
        return out.toString();
    }

    private static String encode(String value, String alsoSafe) {
        StringBuilder out = new StringBuilder(value.length() + 8);
        for (byte b : value.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (unreserved(c) || (c < 0x80 && alsoSafe.indexOf(c) >= 0)) {
                out.append((char) c);
            } else {
                out.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return out.toString();
    }

    private static boolean unreserved(int c) {
        return (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (c >= '0' && c <= '9')
                || c == '-'
                || c == '.'
                || c == '_'
                || c == '~';
    }

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
}
