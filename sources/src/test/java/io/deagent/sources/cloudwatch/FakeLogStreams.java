package io.deagent.sources.cloudwatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.testkit.FakeAwsJsonApi;
import io.deagent.testkit.FakeAwsJsonApi.AwsError;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code GetLogEvents} as CloudWatch Logs answers it, over streams held in memory: pages of at most {@link
 * #pageSize} events (or the request's {@code limit}), oldest first within a page; {@code startFromHead} picks the
 * end to start from; {@code nextForwardToken} / {@code nextBackwardToken} lead on, and at either end of the
 * stream the token sent comes back unchanged. Optionally every real page is preceded by empty pages with fresh
 * tokens, as CloudWatch returns when it scans time ranges without events. {@code startTime} (inclusive) and
 * {@code endTime} (exclusive) filter by timestamp.
 */
final class FakeLogStreams implements FakeAwsJsonApi.Handler {

    static final String TARGET = "Logs_20140328.GetLogEvents";
    static final long FIRST_TIMESTAMP = 1_763_607_600_000L; // 2025-11-20T03:00:00Z

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern TOKEN = Pattern.compile("([fb])/(\\d+)/(\\d+)");

    private record Event(long timestamp, String message) {}

    private final Map<String, Map<String, List<Event>>> groups = new LinkedHashMap<>();
    private int pageSize = 10_000;
    private int emptyPages;

    FakeLogStreams group(String group) {
        groups.computeIfAbsent(group, g -> new LinkedHashMap<>());
        return this;
    }

    /** Events one second apart from {@link #FIRST_TIMESTAMP}. */
    FakeLogStreams stream(String group, String stream, List<String> lines) {
        List<Event> events = new ArrayList<>();
        for (int i = 0; i < lines.size(); i++) {
            events.add(new Event(FIRST_TIMESTAMP + i * 1000L, lines.get(i)));
        }
        groups.computeIfAbsent(group, g -> new LinkedHashMap<>()).put(stream, events);
        return this;
    }

    FakeLogStreams pageSize(int n) {
        this.pageSize = n;
        return this;
    }

    FakeLogStreams emptyPagesBetween(int n) {
        this.emptyPages = n;
        return this;
    }

    @Override
    public Object answer(FakeAwsJsonApi.Call call) {
        JsonNode body = call.body();
        String groupName = body.path("logGroupName").asText();
        Map<String, List<Event>> group = groups.get(groupName);
        if (group == null) {
            throw AwsError.resourceNotFound("The specified log group does not exist.");
        }
        List<Event> all = group.get(body.path("logStreamName").asText());
        if (all == null) {
            throw AwsError.logStreamNotFound();
        }
        List<Event> events = window(all, body);
        int size = body.has("limit") ? Math.min(pageSize, body.get("limit").asInt()) : pageSize;
        boolean fromHead = body.path("startFromHead").asBoolean(false);
        String sent = body.hasNonNull("nextToken") ? body.get("nextToken").asText() : null;

        char direction;
        int position;
        int gap;
        if (sent == null) {
            direction = fromHead ? 'f' : 'b';
            position = fromHead ? 0 : events.size();
            gap = emptyPages; // the first page is a real one
        } else {
            Matcher m = TOKEN.matcher(sent);
            if (!m.matches()) {
                throw new AwsError(400, "InvalidParameterException", "The specified nextToken is invalid.");
            }
            direction = m.group(1).charAt(0);
            position = Integer.parseInt(m.group(2));
            gap = Integer.parseInt(m.group(3));
        }
        if (gap < emptyPages) {
            String next = direction + "/" + position + "/" + (gap + 1);
            return page(
                    List.of(),
                    direction == 'f' ? next : "f/" + position + "/0",
                    direction == 'b' ? next : "b/" + position + "/0");
        }
        if (direction == 'f') {
            int end = Math.min(events.size(), position + size);
            List<Event> page = events.subList(position, end);
            String forward = page.isEmpty() ? sent : "f/" + end + "/0";
            return page(page, forward, "b/" + position + "/0");
        }
        int start = Math.max(0, position - size);
        List<Event> page = events.subList(start, position);
        String backward = page.isEmpty() && sent != null ? sent : "b/" + start + "/0";
        return page(page, "f/" + position + "/0", backward);
    }

    private static List<Event> window(List<Event> all, JsonNode body) {
        long from = body.has("startTime") ? body.get("startTime").asLong() : Long.MIN_VALUE;
        long to = body.has("endTime") ? body.get("endTime").asLong() : Long.MAX_VALUE;
        return all.stream()
                .filter(e -> e.timestamp() >= from && e.timestamp() < to)
                .toList();
    }

    private static ObjectNode page(List<Event> events, String forward, String backward) {
        ObjectNode out = JSON.createObjectNode();
        ArrayNode list = out.putArray("events");
        for (Event e : events) {
            list.addObject()
                    .put("timestamp", e.timestamp())
                    .put("message", e.message())
                    .put("ingestionTime", e.timestamp() + 250);
        }
        out.put("nextForwardToken", forward);
        out.put("nextBackwardToken", backward);
        return out;
    }
}
