package io.deagent.core.log;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, on raw bytes and without decoding, whether a line can matter to a diagnosis. Most lines of a
 * failing job's log are routine INFO lines; only lines with one of these words are decoded and parsed.
 *
 * <p>Each keyword is anchored on its rarest two-letter pair (by English letter frequency), so the scan
 * does one table look-up per byte and verifies a keyword only where its anchor occurs.
 */
final class KeywordFilter {

    /** Lower-case words that mark a line worth keeping. Rule patterns must hit lines that contain one. */
    static final List<String> KEYWORDS = List.of(
            "error",
            "exception",
            "fail",
            "fatal",
            "caused by",
            "suppressed:",
            "traceback",
            "killed",
            "sigterm",
            "sigkill",
            "signal",
            "zombie",
            "denied",
            "forbidden",
            "unauthori",
            "expired",
            "invalid",
            "timeout",
            "timed out",
            "refused",
            "reset by peer",
            "unreachable",
            "not found",
            "does not exist",
            "doesn't exist",
            "no such",
            "nosuch",
            "no space",
            "disk full",
            "out of memory",
            "outofmemory",
            "not enough",
            "exceeded",
            "exceeding",
            "exit code",
            "return code",
            "exited",
            "abort",
            "cancel",
            "panic",
            "throttl",
            "slow down",
            "too many",
            "too long",
            "quota",
            "violat",
            "conflict",
            "deadlock",
            "duplicate",
            "overflow",
            "out of range",
            "cannot",
            "can't",
            "could not",
            "unable",
            "missing",
            "mismatch",
            "not serializable",
            "backoff",
            "imagepull",
            "pending",
            "evicted",
            "oomkilled",
            "privilege",
            "bigger than",
            "by zero",
            "lost task",
            "lost executor",
            "starting attempt",
            "up_for_retry",
            "<taskinstance:",
            "broken dag",
            "isn't defined",
            "not defined",
            "hint:",
            "detail:",
            "sqlstate",
            "warning:",
            "unexpected",
            "syntax",
            "unknown",
            "undefined",
            "unsupported",
            "incompatible",
            "insufficient",
            "rate exceeded",
            "429",
            "503",
            "403",
            "401",
            "exit status",
            "non-zero",
            "nonzero",
            "retry",
            "crash",
            "terminat",
            "assert",
            "stopped",
            "unhealthy",
            "readonly",
            "read-only",
            "locked",
            "already exists",
            "in use",
            "rejected",
            "malformed",
            "corrupt",
            "truncat",
            "stuck",
            "limit",
            "gzip",
            "decompress",
            "locked",
            "not present",
            "open slots",
            "spilling");

    private static final byte[] FOLD = new byte[256];

    static {
        for (int i = 0; i < 256; i++) {
            FOLD[i] = (byte) (i >= 'A' && i <= 'Z' ? i | 0x20 : i);
        }
    }

    private final boolean[] anchors = new boolean[1 << 16];
    private final byte[][][] byAnchor = new byte[1 << 16][][];
    private final int[][] offsetsByAnchor = new int[1 << 16][];

    KeywordFilter(List<String> keywords) {
        List<List<byte[]>> words = new ArrayList<>(1 << 16);
        List<List<Integer>> offsets = new ArrayList<>(1 << 16);
        for (int i = 0; i < 1 << 16; i++) {
            words.add(null);
            offsets.add(null);
        }
        for (String keyword : keywords) {
            byte[] k = keyword.getBytes(StandardCharsets.UTF_8);
            int best = 0;
            double bestCost = Double.MAX_VALUE;
            for (int j = 0; j + 1 < k.length; j++) {
                double cost = commonness(k[j]) * commonness(k[j + 1]);
                if (cost < bestCost) {
                    bestCost = cost;
                    best = j;
                }
            }
            int anchor = ((k[best] & 0xff) << 8) | (k[best + 1] & 0xff);
            anchors[anchor] = true;
            if (words.get(anchor) == null) {
                words.set(anchor, new ArrayList<>());
                offsets.set(anchor, new ArrayList<>());
            }
            words.get(anchor).add(k);
            offsets.get(anchor).add(best);
        }
        for (int a = 0; a < 1 << 16; a++) {
            if (words.get(a) != null) {
                byAnchor[a] = words.get(a).toArray(new byte[0][]);
                offsetsByAnchor[a] =
                        offsets.get(a).stream().mapToInt(Integer::intValue).toArray();
            }
        }
    }

    static KeywordFilter standard() {
        return Holder.STANDARD;
    }

    private static final class Holder {
        static final KeywordFilter STANDARD = new KeywordFilter(KEYWORDS);
    }

    /** Whether bytes {@code [from, to)} contain a keyword, ignoring ASCII case. */
    boolean matches(byte[] buf, int from, int to) {
        int last = to - 1;
        for (int i = from; i < last; i++) {
            int a = ((FOLD[buf[i] & 0xff] & 0xff) << 8) | (FOLD[buf[i + 1] & 0xff] & 0xff);
            if (anchors[a] && verify(buf, from, to, i, a)) {
                return true;
            }
        }
        return false;
    }

    private boolean verify(byte[] buf, int from, int to, int at, int anchor) {
        byte[][] words = byAnchor[anchor];
        int[] offs = offsetsByAnchor[anchor];
        outer:
        for (int w = 0; w < words.length; w++) {
            byte[] k = words[w];
            int start = at - offs[w];
            if (start < from || start + k.length > to) {
                continue;
            }
            for (int j = 0; j < k.length; j++) {
                if (FOLD[buf[start + j] & 0xff] != k[j]) {
                    continue outer;
                }
            }
            return true;
        }
        return false;
    }

    /** Rough frequency of a byte in English log text; rarer anchors mean fewer verifications. */
    private static double commonness(byte b) {
        String order = " etaoinsrhldcumfpgwybvkxjqz";
        int idx = order.indexOf((char) b);
        if (idx >= 0) {
            return 30 - idx;
        }
        return (b >= '0' && b <= '9') ? 12 : 6;
    }
}
