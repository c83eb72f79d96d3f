package io.deagent.sources.cloudwatch;

import io.deagent.core.investigate.Budget;
import io.deagent.sources.SourceException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import software.amazon.awssdk.services.cloudwatchlogs.CloudWatchLogsClient;
import software.amazon.awssdk.services.cloudwatchlogs.model.GetLogEventsResponse;
import software.amazon.awssdk.services.cloudwatchlogs.model.OutputLogEvent;

/**
 * Reads the end of one log stream with {@code GetLogEvents}, newest page first ({@code startFromHead=false}),
 * following {@code nextBackwardToken} towards the start until the token comes back unchanged (the start of the
 * stream; pages on the way may be empty), the byte cap is full, or the deadline comes.
 *
 * <p>Why backwards: the end of a task log is where the failure is, and both limits cut from the other side.
 * Reading forward would have to fetch the whole stream to reach the tail (a chatty Spark driver log is hundreds
 * of 1 MB pages) and, when the deadline comes first, would leave us holding the head, which is useless. Read
 * backwards, the first page is already the tail, the byte cap stops the reading as soon as it is full, and an
 * early deadline still leaves the most valuable part.
 */
final class StreamTail {

    /** Why the reading stopped. */
    enum Stop {
        START_OF_STREAM,
        BYTE_CAP,
        DEADLINE
    }

    record Result(List<String> lines, int events, boolean truncated, Stop stop, int calls) {
        String text() {
            return String.join("\n", lines);
        }
    }

    private StreamTail() {}

    /**
     * @param endTime events at or after it are left out (a bound for streams still being written)
     * @throws SourceException when the first page cannot be read (NotFound for a missing stream or group)
     */
    static Result read(
            CloudWatchLogsClient client, String group, String stream, Optional<Instant> endTime, Budget budget) {
        long cap = budget.maxBytes() > 0 ? budget.maxBytes() : Long.MAX_VALUE;
        String what = "GetLogEvents logGroupName=" + group + " logStreamName=" + stream + " startFromHead=false"
                + endTime.map(t -> " endTime=" + t.toEpochMilli()).orElse("");
        Deque<String> lines = new ArrayDeque<>();
        long bytes = 0;
        int calls = 0;
        String token = null;
        while (true) {
            GetLogEventsResponse page;
            try {
                String sent = token;
                calls++;
                page = LogsCalls.call(
                        budget,
                        what,
                        o -> client.getLogEvents(b -> b.logGroupName(group)
                                .logStreamName(stream)
                                .startFromHead(false)
                                .nextToken(sent)
                                .endTime(endTime.map(Instant::toEpochMilli).orElse(null))
                                .overrideConfiguration(o)));
            } catch (SourceException.TimedOut e) {
                if (lines.isEmpty()) {
                    throw e;
                }
                return new Result(List.copyOf(lines), lines.size(), true, Stop.DEADLINE, calls);
            }
            List<OutputLogEvent> events = page.events();
            // within a page events run oldest to newest; walking it backwards keeps the newest when the cap bites
            for (int i = events.size() - 1; i >= 0; i--) {
                String line = strip(events.get(i).message());
                long size = line.getBytes(StandardCharsets.UTF_8).length + 1L;
                if (bytes + size > cap) {
                    if (lines.isEmpty()) {
                        lines.addFirst(tailOf(line, cap)); // one line larger than the cap: keep its end
                    }
                    return new Result(List.copyOf(lines), lines.size(), true, Stop.BYTE_CAP, calls);
                }
                lines.addFirst(line);
                bytes += size;
            }
            String next = page.nextBackwardToken();
            if (next == null || next.equals(token)) {
                return new Result(List.copyOf(lines), lines.size(), false, Stop.START_OF_STREAM, calls);
            }
            token = next;
        }
    }

    /** One CloudWatch event is one log line; a trailing newline from the writer is not part of it. */
    static String strip(String message) {
        if (message == null) {
            return "";
        }
        int end = message.length();
        while (end > 0 && (message.charAt(end - 1) == '\n' || message.charAt(end - 1) == '\r')) {
            end--;
        }
        return message.substring(0, end);
    }

    /** The last {@code cap} bytes of a line (a split character at the cut becomes U+FFFD). */
    static String tailOf(String line, long cap) {
        byte[] utf8 = line.getBytes(StandardCharsets.UTF_8);
        int keep = (int) Math.min(utf8.length, Math.max(0, cap - 1));
        return new String(utf8, utf8.length - keep, keep, StandardCharsets.UTF_8);
    }
}
