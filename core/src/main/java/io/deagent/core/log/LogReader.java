package io.deagent.core.log;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PushbackInputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.Charset;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CharsetEncoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;

/**
 * Streams a log of any size in bounded memory and keeps the lines that can matter to a diagnosis.
 *
 * <p>Bytes are scanned line by line without decoding; a line is decoded only when it holds a keyword
 * ({@link KeywordFilter}), continues an exception block (stack frames, indented lines), or is context
 * right after such a line. Lines longer than {@link Limits#maxLineBytes()} are cut into segments that keep
 * the line's number, so a 100 MB line without a newline costs no more memory than a short one. What is
 * kept is bounded too: the first lines of the log and a rolling window of the last ones.
 */
public final class LogReader {

    /** Memory limits of one read. */
    /**
     * Memory and parallelism limits of one read.
     *
     * @param maxLineBytes longer lines are read in segments of this size
     * @param headChars characters of kept lines held from the start of the log
     * @param tailChars characters of kept lines held in the rolling window at the end
     * @param maxBlockLines continuation lines (frames) kept after one interesting line
     * @param contextAfter plain lines kept after an interesting line
     * @param partBytes a file is scanned in parallel parts of at least this size
     * @param maxParts at most this many parts (threads)
     */
    public record Limits(
            int maxLineBytes,
            int headChars,
            int tailChars,
            int maxBlockLines,
            int contextAfter,
            long partBytes,
            int maxParts) {
        public static Limits defaults() {
            return new Limits(
                    16 * 1024,
                    2_000_000,
                    6_000_000,
                    300,
                    3,
                    32L << 20,
                    Runtime.getRuntime().availableProcessors());
        }
    }

    private static final Charset WINDOWS_1252 = Charset.forName("windows-1252");
    private static final Pattern ANSI =
            Pattern.compile("\u001B\\[[0-?]*[ -/]*[@-~]|\u001B[@-Z\\\\-_]|\u009B[0-?]*[ -/]*[@-~]");
    private static final int BUFFER = 1 << 20;

    private static final java.util.concurrent.ExecutorService PARTS =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread t = new Thread(r, "log-reader");
                t.setDaemon(true);
                return t;
            });

    private final Limits limits;
    private final KeywordFilter filter;

    public LogReader() {
        this(Limits.defaults());
    }

    public LogReader(Limits limits) {
        this.limits = limits;
        this.filter = KeywordFilter.standard();
    }

    public LogDocument read(Path file) throws IOException {
        long size = Files.size(file);
        int parts = (int) Math.min(limits.maxParts(), Math.max(1, size / limits.partBytes()));
        if (parts > 1) {
            byte[] sample = new byte[8192];
            int sampled;
            try (InputStream in = Files.newInputStream(file)) {
                sampled = in.readNBytes(sample, 0, sample.length);
            }
            Sniff sniff = sniff(sample, sampled);
            boolean gzip = sampled >= 2 && (sample[0] & 0xff) == 0x1f && (sample[1] & 0xff) == 0x8b;
            if (sniff.charset() == null && !gzip) {
                return readInParts(file, size, parts, sniff);
            }
        }
        try (InputStream in = Files.newInputStream(file)) {
            return read(in);
        }
    }

    /**
     * A large UTF-8 file is scanned in parts, one per core, each starting at a line boundary; the kept lines
     * are then renumbered and joined in file order.
     */
    private LogDocument readInParts(Path file, long size, int parts, Sniff sniff) throws IOException {
        long[] bounds = new long[parts + 1];
        bounds[0] = sniff.skip();
        bounds[parts] = size;
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            for (int k = 1; k < parts; k++) {
                bounds[k] = Math.max(bounds[k - 1], nextLineStart(ch, size * k / parts, size));
            }
        }
        List<CompletableFuture<Scan>> scans = new ArrayList<>();
        for (int k = 0; k < parts; k++) {
            long from = bounds[k];
            long to = bounds[k + 1];
            boolean first = k == 0;
            scans.add(CompletableFuture.supplyAsync(() -> scanRange(file, from, to, sniff, first), PARTS));
        }
        Scan whole = new Scan(sniff.name(), sniff.binary());
        whole.lineNumber = 0;
        try {
            for (CompletableFuture<Scan> part : scans) {
                whole.append(part.join());
            }
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.io.UncheckedIOException u) {
                throw u.getCause();
            }
            throw e;
        }
        return whole.finish();
    }

    private Scan scanRange(Path file, long from, long to, Sniff sniff, boolean first) {
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            ch.position(from);
            InputStream in = new java.io.BufferedInputStream(Channels.newInputStream(ch), 1 << 16) {
                private long left = to - from;

                @Override
                public synchronized int read(byte[] b, int off, int len) throws IOException {
                    if (left <= 0) {
                        return -1;
                    }
                    int n = super.read(b, off, (int) Math.min(len, left));
                    if (n > 0) {
                        left -= n;
                    }
                    return n;
                }
            };
            Scan scan = new Scan(sniff.name(), sniff.binary());
            // a stack trace or context can straddle the boundary: remember how this part begins
            scan.prefixLeft = first ? 0 : limits.maxBlockLines() + limits.contextAfter() + 1;
            scan.run(in);
            return scan;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static long nextLineStart(FileChannel ch, long at, long size) throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1 << 16);
        long pos = at;
        while (pos < size) {
            b.clear();
            int n = ch.read(b, pos);
            if (n <= 0) {
                break;
            }
            for (int i = 0; i < n; i++) {
                if (b.get(i) == '\n') {
                    return pos + i + 1;
                }
            }
            pos += n;
        }
        return size;
    }

    public LogDocument read(String text) {
        try {
            return read(new java.io.ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
        } catch (IOException e) {
            throw new IllegalStateException("reading from memory cannot fail", e);
        }
    }

    public LogDocument read(InputStream raw) throws IOException {
        PushbackInputStream in = new PushbackInputStream(new BufferedInputStream(raw, 1 << 16), 8192);
        byte[] sample = new byte[8192];
        int sampled = in.readNBytes(sample, 0, sample.length);
        in.unread(sample, 0, sampled);
        if (sampled >= 2 && (sample[0] & 0xff) == 0x1f && (sample[1] & 0xff) == 0x8b) {
            // logs are often kept gzipped (S3 exports, rotated files): read what is inside, and what can be
            // read of an archive cut short
            TolerantGzip gz = new TolerantGzip(in);
            LogDocument doc = read(gz);
            return gz.damaged == null
                    ? doc
                    : doc.withNote("log: the gzip archive is damaged or cut short (" + gz.damaged + "); diagnosed the "
                            + doc.bytes() + " bytes before that");
        }
        Sniff sniff = sniff(sample, sampled);
        InputStream body = in;
        if (sniff.skip() > 0) {
            in.skipNBytes(sniff.skip());
        }
        if (sniff.charset() != null) {
            body = new Utf8Transcoder(new InputStreamReader(in, sniff.charset()));
        }
        Scan scan = new Scan(sniff.name(), sniff.binary());
        scan.run(body);
        return scan.finish();
    }

    private record Sniff(String name, Charset charset, int skip, boolean binary) {}

    /** Byte-order marks, UTF-16 without a mark (NULs at every other byte), and binary content. */
    static Sniff sniff(byte[] b, int n) {
        if (n >= 3 && (b[0] & 0xff) == 0xEF && (b[1] & 0xff) == 0xBB && (b[2] & 0xff) == 0xBF) {
            return new Sniff("UTF-8", null, 3, false);
        }
        if (n >= 2 && (b[0] & 0xff) == 0xFF && (b[1] & 0xff) == 0xFE) {
            return new Sniff("UTF-16LE", StandardCharsets.UTF_16LE, 2, false);
        }
        if (n >= 2 && (b[0] & 0xff) == 0xFE && (b[1] & 0xff) == 0xFF) {
            return new Sniff("UTF-16BE", StandardCharsets.UTF_16BE, 2, false);
        }
        int evenZeros = 0, oddZeros = 0, control = 0;
        for (int i = 0; i < n; i++) {
            int c = b[i] & 0xff;
            if (c == 0) {
                if ((i & 1) == 0) {
                    evenZeros++;
                } else {
                    oddZeros++;
                }
            } else if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != 0x1B && c != '\f') {
                control++;
            }
        }
        int half = Math.max(1, n / 2);
        if (oddZeros > half * 0.6 && evenZeros < half * 0.05) {
            return new Sniff("UTF-16LE", StandardCharsets.UTF_16LE, 0, false);
        }
        if (evenZeros > half * 0.6 && oddZeros < half * 0.05) {
            return new Sniff("UTF-16BE", StandardCharsets.UTF_16BE, 0, false);
        }
        boolean binary = n > 0 && (evenZeros + oddZeros + control) > n * 0.1;
        return new Sniff("UTF-8", null, 0, binary);
    }

    /** The state of one pass over the bytes. */
    private final class Scan {
        private final CharsetDecoder utf8 = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        private final String encoding;
        private final boolean binary;
        private final List<Raw> head = new ArrayList<>();
        private final ArrayDeque<Raw> tail = new ArrayDeque<>();
        private long headChars;
        private long tailChars;
        private long lineNumber;
        private long bytes;
        private long dropped;
        private int latin1Lines;
        private boolean inBlock;
        private int blockLines;
        private int contextLeft;
        private boolean lineContinues;
        /** The first lines of a part after the first, for {@link #append} to finish what the previous began. */
        private final List<Peek> prefix = new ArrayList<>();

        private int prefixLeft;

        Scan(String encoding, boolean binary) {
            this.encoding = encoding;
            this.binary = binary;
            this.lineNumber = 1;
        }

        void run(InputStream in) throws IOException {
            byte[] buf = new byte[BUFFER];
            int len = 0;
            int n;
            while ((n = in.read(buf, len, buf.length - len)) > 0) {
                bytes += n;
                len += n;
                int start = 0;
                while (true) {
                    // one pass finds the end of the line and whether it holds a keyword
                    long r = filter.scanLine(buf, start, len);
                    int end = (int) (r >>> 1);
                    if (end >= len) {
                        break;
                    }
                    endOfLine(buf, start, end, (r & 1) != 0);
                    start = end + 1;
                }
                // a line longer than a segment is handled in pieces that keep the line's number
                while (len - start >= limits.maxLineBytes()) {
                    segment(buf, start, start + limits.maxLineBytes());
                    start += limits.maxLineBytes();
                }
                System.arraycopy(buf, start, buf, 0, len - start);
                len -= start;
            }
            if (len > 0 || lineContinues) {
                endOfLine(buf, 0, len, filter.matches(buf, 0, len)); // a last line without a newline
            }
            lineNumber--; // lineNumber is the number the next line would get
        }

        private void segment(byte[] buf, int from, int to) {
            consider(buf, from, to, filter.matches(buf, from, to));
            lineContinues = true;
        }

        private void endOfLine(byte[] buf, int from, int to, boolean hit) {
            if (to > from && buf[to - 1] == '\r') {
                to--;
            }
            consider(buf, from, to, hit);
            lineContinues = false;
            lineNumber++;
        }

        private void consider(byte[] buf, int from, int to, boolean hit) {
            if (prefixLeft > 0) {
                prefixLeft--;
                prefix.add(new Peek(
                        (int) Math.min(Integer.MAX_VALUE, lineNumber),
                        clean(decode(buf, from, to)),
                        hit,
                        isContinuation(buf, from, to)));
            }
            if (hit) {
                keep(buf, from, to, false);
                inBlock = true;
                blockLines = 0;
                contextLeft = limits.contextAfter();
            } else if (inBlock && isContinuation(buf, from, to) && blockLines < limits.maxBlockLines()) {
                keep(buf, from, to, false);
                blockLines++;
            } else if (contextLeft > 0) {
                keep(buf, from, to, true);
                contextLeft--;
                if (to == from) {
                    inBlock = inBlock && contextLeft > 0;
                }
            } else {
                inBlock = isContinuation(buf, from, to) && inBlock;
            }
        }

        /** Stack frames, indented message lines, carets and "... N more". */
        private boolean isContinuation(byte[] buf, int from, int to) {
            if (to == from) {
                return false;
            }
            byte c = buf[from];
            if (c == ' ' || c == '\t' || c == '^' || c == '|' || c == '+' || c == ':') {
                return true;
            }
            if (to - from > 3 && buf[from] == '.' && buf[from + 1] == '.' && buf[from + 2] == '.') {
                return true;
            }
            return c == '[' && prefixedContinuation(buf, from, to);
        }

        /** An Airflow-prefixed line whose message is indented or a frame ("... INFO -   File ..."). */
        private boolean prefixedContinuation(byte[] buf, int from, int to) {
            int limit = Math.min(to - 3, from + 120);
            for (int i = from; i < limit; i++) {
                if (buf[i] == ' ' && buf[i + 1] == '-' && buf[i + 2] == ' ') {
                    int m = i + 3;
                    if (m < to && (buf[m] == ' ' || buf[m] == '\t')) {
                        return true;
                    }
                    return m + 3 < to && buf[m] == 'a' && buf[m + 1] == 't' && buf[m + 2] == ' ';
                }
            }
            return false;
        }

        private void keep(byte[] buf, int from, int to, boolean context) {
            String text = clean(decode(buf, from, to));
            Raw line = new Raw((int) Math.min(Integer.MAX_VALUE, lineNumber), text, context);
            if (headChars < limits.headChars()) {
                head.add(line);
                headChars += text.length() + 16;
                return;
            }
            tail.addLast(line);
            tailChars += text.length() + 16;
            while (tailChars > limits.tailChars() && !tail.isEmpty()) {
                Raw gone = tail.pollFirst();
                tailChars -= gone.text().length() + 16;
                dropped++;
            }
        }

        private String decode(byte[] buf, int from, int to) {
            boolean ascii = true;
            for (int i = from; i < to; i++) {
                if (buf[i] < 0) {
                    ascii = false;
                    break;
                }
            }
            if (ascii) {
                return new String(buf, from, to - from, StandardCharsets.ISO_8859_1);
            }
            try {
                return utf8.decode(ByteBuffer.wrap(buf, from, to - from)).toString();
            } catch (CharacterCodingException notUtf8) {
                latin1Lines++;
                return new String(buf, from, to - from, WINDOWS_1252);
            }
        }

        /** Adds a later part of the same file: its lines are renumbered to follow this part's. */
        void append(Scan part) {
            int offset = (int) Math.min(Integer.MAX_VALUE, lineNumber);
            // carry the previous part's state into the start of this one, exactly as one pass would
            for (Peek p : part.prefix) {
                if (p.hit() || (!inBlock && contextLeft == 0)) {
                    break;
                }
                if (inBlock && p.continuation() && blockLines < limits.maxBlockLines()) {
                    head.add(new Raw(p.number() + offset, p.text(), false));
                    blockLines++;
                } else if (contextLeft > 0) {
                    head.add(new Raw(p.number() + offset, p.text(), true));
                    contextLeft--;
                    if (p.text().isEmpty()) {
                        inBlock = inBlock && contextLeft > 0;
                    }
                } else {
                    inBlock = p.continuation() && inBlock;
                }
            }
            inBlock = part.inBlock;
            blockLines = part.blockLines;
            contextLeft = part.contextLeft;
            for (Raw r : part.head) {
                head.add(r.shifted(offset));
            }
            for (Raw r : part.tail) {
                head.add(r.shifted(offset));
            }
            lineNumber += Math.max(0, part.lineNumber);
            bytes += part.bytes;
            dropped += part.dropped;
            latin1Lines += part.latin1Lines;
        }

        /** Lines are parsed only now, so the ones let go from the rolling window never cost a parse. */
        LogDocument finish() {
            List<LogLine> lines = new ArrayList<>(head.size() + tail.size());
            List<ThrownException> jsonErrors = new ArrayList<>();
            for (Raw r : head) {
                lines.add(r.parse(jsonErrors));
            }
            for (Raw r : tail) {
                lines.add(r.parse(jsonErrors));
            }
            String enc = latin1Lines > 0 && encoding.equals("UTF-8") ? "ISO-8859-1" : encoding;
            return LogDocument.build(
                    lines, Math.max(0, lineNumber), bytes, enc, latin1Lines, binary, dropped, jsonErrors);
        }
    }

    /** One of the first lines of a part, as the scan saw it. */
    private record Peek(int number, String text, boolean hit, boolean continuation) {}

    /** A kept line before parsing. */
    private record Raw(int number, String text, boolean context) {
        Raw shifted(int offset) {
            return new Raw(number + offset, text, context);
        }

        LogLine parse(List<ThrownException> jsonErrors) {
            LineFormats.Parsed parsed = LineFormats.parse(text, number);
            jsonErrors.addAll(parsed.jsonErrors());
            return new LogLine(number, text, parsed.message(), parsed.level(), parsed.format(), context);
        }
    }

    /** Removes ANSI colour codes and carriage returns; replaces other control characters. */
    static String clean(String s) {
        if (s.indexOf('\u001B') >= 0 || s.indexOf('\u009B') >= 0) {
            s = ANSI.matcher(s).replaceAll("");
        }
        StringBuilder out = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean bad = (c < 0x20 && c != '\t') || c == 0x7F;
            if (bad && out == null) {
                out = new StringBuilder(s.length());
                out.append(s, 0, i);
            }
            if (out != null) {
                if (c == '\r') {
                    continue;
                }
                out.append(bad ? '\uFFFD' : c);
            }
        }
        return out == null ? s : out.toString();
    }

    /** A stream that is only ever read in bulk: the single-byte read goes through the bulk one. */
    private abstract static class BulkInputStream extends InputStream {
        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }
    }

    /** A gzip stream that ends, instead of failing, where the archive is damaged or cut short. */
    private static final class TolerantGzip extends BulkInputStream {
        private final java.util.zip.GZIPInputStream gz;
        String damaged;

        TolerantGzip(InputStream in) throws IOException {
            this.gz = new java.util.zip.GZIPInputStream(in, 1 << 16);
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            if (damaged != null) {
                return -1;
            }
            try {
                return gz.read(b, off, len);
            } catch (java.io.EOFException | java.util.zip.ZipException e) {
                damaged = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
                return -1;
            }
        }

        @Override
        public void close() throws IOException {
            gz.close();
        }
    }

    /** Re-encodes a UTF-16 character stream as UTF-8 bytes for the byte scanner. */
    private static final class Utf8Transcoder extends BulkInputStream {
        private final Reader reader;
        private final CharsetEncoder encoder = StandardCharsets.UTF_8
                .newEncoder()
                .onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        private final CharBuffer chars = CharBuffer.allocate(8192);
        private final ByteBuffer out = ByteBuffer.allocate(8192 * 3);
        private boolean eof;

        Utf8Transcoder(Reader reader) {
            this.reader = reader;
            out.flip();
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (!out.hasRemaining()) {
                if (eof) {
                    return -1;
                }
                int n = reader.read(chars);
                if (n < 0) {
                    eof = true;
                }
                chars.flip();
                out.clear();
                encoder.encode(chars, out, eof);
                chars.compact();
                out.flip();
            }
            int n = Math.min(len, out.remaining());
            out.get(b, off, n);
            return n;
        }

        @Override
        public void close() throws IOException {
            reader.close();
        }
    }
}
