package io.deagent.sources.airflow;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * Keeps the last {@code capacity} bytes written to it, in bounded memory, and counts all of them. The end of a
 * task log is where the failure is, so when a log is larger than the byte cap its head is what goes.
 */
final class TailBuffer {

    private final int capacity;
    private byte[] ring = new byte[0];
    private int next; // once the ring is full: where the next byte goes, which is also the oldest byte
    private long total;

    TailBuffer(long capacity) {
        // a Java array holds at most Integer.MAX_VALUE - 8 bytes; a larger cap is no cap in practice
        this.capacity = (int) Math.max(0, Math.min(capacity, Integer.MAX_VALUE - 8L));
    }

    void write(ByteBuffer buffer) {
        byte[] chunk = new byte[Math.min(buffer.remaining(), 64 * 1024)];
        while (buffer.hasRemaining()) {
            int n = Math.min(chunk.length, buffer.remaining());
            buffer.get(chunk, 0, n);
            write(chunk, 0, n);
        }
    }

    void write(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        write(bytes, 0, bytes.length);
    }

    void write(byte[] src, int off, int len) {
        if (capacity == 0) {
            total += len;
            return;
        }
        if (len >= capacity) {
            // only the last capacity bytes of this chunk can survive
            ensureLength(capacity);
            System.arraycopy(src, off + len - capacity, ring, 0, capacity);
            next = 0;
            total += len;
            return;
        }
        if (total < capacity) {
            int n = (int) Math.min(len, capacity - total);
            ensureLength((int) total + n);
            System.arraycopy(src, off, ring, (int) total, n);
            total += n;
            off += n;
            len -= n;
            next = 0; // once full, the oldest byte sits at 0
        }
        while (len > 0) {
            int n = Math.min(len, capacity - next);
            System.arraycopy(src, off, ring, next, n);
            next = (next + n) % capacity;
            total += n;
            off += n;
            len -= n;
        }
    }

    /** Grows by doubling: a small answer must not allocate the whole cap. */
    private void ensureLength(int length) {
        if (ring.length >= length) {
            return;
        }
        int size = (int) Math.min(capacity, Math.max(length, Math.max(1024L, ring.length * 2L)));
        byte[] bigger = new byte[size];
        System.arraycopy(ring, 0, bigger, 0, ring.length);
        ring = bigger;
    }

    /** All bytes written, kept or not. */
    long total() {
        return total;
    }

    boolean truncated() {
        return total > capacity;
    }

    /** The kept bytes, oldest first. */
    byte[] bytes() {
        int kept = (int) Math.min(total, capacity);
        byte[] out = new byte[kept];
        if (total <= capacity) {
            System.arraycopy(ring, 0, out, 0, kept);
        } else {
            int head = capacity - next;
            System.arraycopy(ring, next, out, 0, head);
            System.arraycopy(ring, 0, out, head, next);
        }
        return out;
    }

    /**
     * The kept bytes as UTF-8 text. When the head was cut, the cut character and the cut line are dropped too,
     * so the text starts at a whole line (unless it holds a single line).
     */
    String text() {
        byte[] b = bytes();
        int start = 0;
        if (truncated()) {
            while (start < b.length && (b[start] & 0xC0) == 0x80) {
                start++; // a UTF-8 continuation byte: its lead byte was cut
            }
            for (int i = start; i < b.length; i++) {
                if (b[i] == '\n') {
                    start = i + 1 < b.length ? i + 1 : start;
                    break;
                }
            }
        }
        return new String(b, start, b.length - start, StandardCharsets.UTF_8);
    }
}
