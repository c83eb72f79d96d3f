package io.deagent.core.log;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Decides, on raw bytes and without decoding, whether a line can matter to a diagnosis. Most lines of a
 * failing job's log are routine INFO lines; only lines with one of these words are decoded and parsed.
 *
 * <p>Each keyword is anchored on its rarest two-byte pair, by the pair frequencies of real logs
 * ({@code log-bigrams.txt}), so the scan does one table look-up per byte and verifies keywords only where
 * an anchor occurs.
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
            "(429)",
            "(503)",
            "(403)",
            "(401)",
            "(404)",
            "http error",
            "status code",
            "client error",
            "server error",
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
            "not present",
            "open slots",
            "spilling",
            "too large",
            "ora-");

    /**
     * Routine lines that contain a keyword but never say anything about a failure (Spark prints them by the
     * thousand): they are not kept.
     */
    static final List<String> ROUTINE = List.of(
            "missing tasks from",
            "missing parents",
            "failed: set()",
            "potential speculative or zombie",
            "cancelling stage");

    /** How often each byte pair occurs in log text (per million pairs); pairs not listed are rare. */
    private static final int[] PAIR_FREQUENCY = loadPairFrequencies();

    private static final byte[] FOLD = new byte[256];

    static {
        for (int i = 0; i < 256; i++) {
            FOLD[i] = (byte) (i >= 'A' && i <= 'Z' ? i | 0x20 : i);
        }
    }

    private final long[] anchors = new long[(1 << 16) / 64];
    private final long[] rawAnchors = new long[(1 << 16) / 64];
    private final byte[][][] byAnchor = new byte[1 << 16][][];
    private final int[][] offsetsByAnchor = new int[1 << 16][];
    private final byte[][] routine;

    KeywordFilter(List<String> keywords, List<String> routine) {
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
                double cost = PAIR_FREQUENCY[((k[j] & 0xff) << 8) | (k[j + 1] & 0xff)];
                if (cost < bestCost) {
                    bestCost = cost;
                    best = j;
                }
            }
            int anchor = ((k[best] & 0xff) << 8) | (k[best + 1] & 0xff);
            anchors[anchor >>> 6] |= 1L << anchor;
            for (int v : caseVariants(k[best], k[best + 1])) {
                rawAnchors[v >>> 6] |= 1L << v;
            }
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
        this.routine =
                routine.stream().map(r -> r.getBytes(StandardCharsets.UTF_8)).toArray(byte[][]::new);
    }

    static KeywordFilter standard() {
        return Holder.STANDARD;
    }

    private static final class Holder {
        static final KeywordFilter STANDARD = new KeywordFilter(KEYWORDS, ROUTINE);
    }

    /**
     * Scans one line from {@code from}: finds its newline before {@code limit} and whether it holds a
     * keyword. Returns {@code (end << 1) | hit}, where {@code end} is the newline's index, or {@code limit}
     * when the line goes on past the buffer.
     */
    long scanLine(byte[] buf, int from, int limit) {
        if (from >= limit) {
            return (long) limit << 1;
        }
        int last = limit - 1;
        int cur = buf[from] & 0xff;
        for (int i = from; i < last; i++) {
            if (cur == '\n') {
                return (long) i << 1;
            }
            int next = buf[i + 1] & 0xff;
            // the raw pair is tested against every case variant of the anchors: no folding per byte
            int a = (cur << 8) | next;
            if ((rawAnchors[a >>> 6] & (1L << a)) != 0
                    && verify(buf, from, limit, i, ((FOLD[cur] & 0xff) << 8) | (FOLD[next] & 0xff))) {
                int nl = indexOfNewline(buf, i + 1, limit);
                int end = nl < 0 ? limit : nl;
                return ((long) end << 1) | (routine(buf, from, end) ? 0 : 1);
            }
            cur = next;
        }
        return cur == '\n' ? (long) last << 1 : (long) limit << 1;
    }

    /** Whether bytes {@code [from, to)} contain a keyword, ignoring ASCII case. */
    boolean matches(byte[] buf, int from, int to) {
        int last = to - 1;
        for (int i = from; i < last; i++) {
            int a = ((FOLD[buf[i] & 0xff] & 0xff) << 8) | (FOLD[buf[i + 1] & 0xff] & 0xff);
            if ((anchors[a >>> 6] & (1L << a)) != 0 && verify(buf, from, to, i, a)) {
                return !routine(buf, from, to);
            }
        }
        return false;
    }

    private static int[] caseVariants(byte b0, byte b1) {
        int[] firsts = variants(b0);
        int[] seconds = variants(b1);
        int[] out = new int[firsts.length * seconds.length];
        int n = 0;
        for (int f : firsts) {
            for (int t : seconds) {
                out[n++] = (f << 8) | t;
            }
        }
        return out;
    }

    private static int[] variants(byte b) {
        int c = b & 0xff;
        return c >= 'a' && c <= 'z' ? new int[] {c, c - 32} : new int[] {c};
    }

    static int indexOfNewline(byte[] buf, int from, int to) {
        for (int i = from; i < to; i++) {
            if (buf[i] == '\n') {
                return i;
            }
        }
        return -1;
    }

    private boolean verify(byte[] buf, int from, int to, int at, int anchor) {
        byte[][] words = byAnchor[anchor];
        int[] offs = offsetsByAnchor[anchor];
        for (int w = 0; w < words.length; w++) {
            if (equalsAt(buf, at - offs[w], from, to, words[w])) {
                return true;
            }
        }
        return false;
    }

    private static boolean equalsAt(byte[] buf, int start, int from, int to, byte[] k) {
        if (start < from || start + k.length > to) {
            return false;
        }
        for (int j = 0; j < k.length; j++) {
            if (FOLD[buf[start + j] & 0xff] != k[j]) {
                return false;
            }
        }
        return true;
    }

    private boolean routine(byte[] buf, int from, int to) {
        for (byte[] r : routine) {
            for (int i = from; i + r.length <= to; i++) {
                if (FOLD[buf[i] & 0xff] == r[0] && equalsAt(buf, i, from, to, r)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static int[] loadPairFrequencies() {
        int[] freq = new int[1 << 16];
        try (var in = KeywordFilter.class.getResourceAsStream("/log-bigrams.txt")) {
            if (in == null) {
                throw new IllegalStateException("log-bigrams.txt is missing from the classpath");
            }
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (line.isBlank() || line.startsWith("#")) {
                    continue;
                }
                String[] parts = line.split("\t");
                freq[Integer.parseInt(parts[0], 16)] = Integer.parseInt(parts[1].strip());
            }
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return freq;
    }
}
