package io.deagent.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.deagent.testkit.FakeAwsJsonApi.AwsError;
import io.deagent.testkit.FakeAwsJsonApi.Call;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A local Amazon SQS at the wire, on the AWS JSON 1.0 protocol the SDK has used since 2023
 * ({@code X-Amz-Target: AmazonSQS.SendMessage}, {@code application/x-amz-json-1.0}): {@code SendMessage},
 * {@code ReceiveMessage} (with long polling and visibility timeouts), {@code DeleteMessage},
 * {@code ChangeMessageVisibility} and {@code GetQueueAttributes}. Answers carry the MD5 digests of the body and
 * of the message attributes computed as SQS does, which the SDK checks.
 *
 * <p>A message received and not deleted comes back when its visibility timeout runs out, with its
 * {@code ApproximateReceiveCount} raised, as in SQS. Every request is recorded by the underlying
 * {@link FakeAwsJsonApi} ({@link #api()}), which also queues trouble (a 500, a dropped connection) for tests.
 */
public final class FakeSqs implements AutoCloseable {

    public static final String TARGET_PREFIX = "AmazonSQS.";
    public static final String ACCOUNT = "000000000000";
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One message as the queue holds it. */
    public record Message(String id, String body, Map<String, String> attributes, int receiveCount, String sentAt) {}

    private static final class Stored {
        final String id = UUID.randomUUID().toString();
        final String body;
        final JsonNode attributes;
        final long sentAtMillis;
        int receiveCount;
        long visibleAtNanos;
        String receiptHandle;

        Stored(String body, JsonNode attributes, long sentAtMillis) {
            this.body = body;
            this.attributes = attributes;
            this.sentAtMillis = sentAtMillis;
        }
    }

    private final FakeAwsJsonApi api;
    private final Clock clock;
    private final Map<String, List<Stored>> queues = new ConcurrentHashMap<>();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition sent = lock.newCondition();
    private final java.util.Set<String> issued = new java.util.HashSet<>();

    private FakeSqs(FakeAwsJsonApi api, Clock clock) {
        this.api = api;
        this.clock = clock;
        api.on(TARGET_PREFIX + "SendMessage", this::send);
        api.on(TARGET_PREFIX + "ReceiveMessage", this::receive);
        api.on(TARGET_PREFIX + "DeleteMessage", this::delete);
        api.on(TARGET_PREFIX + "ChangeMessageVisibility", this::changeVisibility);
        api.on(TARGET_PREFIX + "GetQueueAttributes", this::attributes);
    }

    public static FakeSqs start() {
        Clock clock = Clock.systemUTC();
        return new FakeSqs(FakeAwsJsonApi.start(clock, FakeAwsJsonApi.Protocol.JSON_1_0), clock);
    }

    public URI endpoint() {
        return api.endpoint();
    }

    public FakeAwsJsonApi api() {
        return api;
    }

    /** Creates a queue and returns its URL, {@code <endpoint>/000000000000/<name>}. */
    public String createQueue(String name) {
        String url = endpoint() + "/" + ACCOUNT + "/" + name;
        queues.putIfAbsent(url, new ArrayList<>());
        return url;
    }

    /** The ARN of a queue created here, as an SQS event source names it. */
    public static String arn(String queueUrl, String region) {
        return "arn:aws:sqs:" + region + ":" + ACCOUNT + ":" + queueUrl.substring(queueUrl.lastIndexOf('/') + 1);
    }

    /** Every message still in the queue (visible or in flight), oldest first. */
    public List<Message> messages(String queueUrl) {
        lock.lock();
        try {
            List<Message> out = new ArrayList<>();
            for (Stored s : queue(queueUrl)) {
                Map<String, String> attrs = new LinkedHashMap<>();
                s.attributes
                        .properties()
                        .forEach(e -> attrs.put(
                                e.getKey(), e.getValue().path("StringValue").asText("")));
                out.add(new Message(s.id, s.body, attrs, s.receiveCount, String.valueOf(s.sentAtMillis)));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Sends a message as another producer would (an Airflow publishing failures), bypassing the wire. */
    public String put(String queueUrl, String body) {
        lock.lock();
        try {
            Stored s = new Stored(body, JSON.createObjectNode(), clock.millis());
            queue(queueUrl).add(s);
            sent.signalAll();
            return s.id;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void close() {
        api.close();
    }

    private List<Stored> queue(String url) {
        List<Stored> q = queues.get(url);
        if (q == null) {
            AwsError e =
                    new AwsError(400, "com.amazonaws.sqs#QueueDoesNotExist", "The specified queue does not exist.");
            throw e;
        }
        return q;
    }

    private Object send(Call call) {
        String url = call.body().path("QueueUrl").asText("");
        JsonNode bodyNode = call.body().get("MessageBody");
        if (bodyNode == null || !bodyNode.isTextual() || bodyNode.asText().isEmpty()) {
            throw new AwsError(
                    400, "com.amazonaws.sqs#MissingParameter", "The request must contain the parameter MessageBody.");
        }
        String body = bodyNode.asText();
        if (body.getBytes(StandardCharsets.UTF_8).length > 1 << 20) {
            throw new AwsError(
                    400,
                    "com.amazonaws.sqs#InvalidParameterValue",
                    "One or more parameters are invalid. Reason: Message must be shorter than 1048576 bytes.");
        }
        JsonNode attributes = call.body().path("MessageAttributes");
        if (attributes.isMissingNode()) {
            attributes = JSON.createObjectNode();
        }
        for (var e : attributes.properties()) {
            String type = e.getValue().path("DataType").asText("");
            if (!(type.startsWith("String") || type.startsWith("Number") || type.startsWith("Binary"))) {
                throw new AwsError(
                        400,
                        "com.amazonaws.sqs#InvalidParameterValue",
                        "The message attribute '" + e.getKey() + "' has an invalid message attribute type");
            }
        }
        lock.lock();
        try {
            Stored s = new Stored(body, attributes.deepCopy(), clock.millis());
            queue(url).add(s);
            sent.signalAll();
            ObjectNode out = JSON.createObjectNode();
            out.put("MessageId", s.id);
            out.put("MD5OfMessageBody", md5(body.getBytes(StandardCharsets.UTF_8)));
            if (!attributes.isEmpty()) {
                out.put("MD5OfMessageAttributes", attributesMd5(attributes));
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    private Object receive(Call call) throws AwsError {
        String url = call.body().path("QueueUrl").asText("");
        int max = call.body().path("MaxNumberOfMessages").asInt(1);
        if (max < 1 || max > 10) {
            throw new AwsError(
                    400,
                    "com.amazonaws.sqs#InvalidParameterValue",
                    "Value " + max
                            + " for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10.");
        }
        int waitSeconds = call.body().path("WaitTimeSeconds").asInt(0);
        int visibility = call.body().path("VisibilityTimeout").asInt(30);
        boolean allAttributes = false;
        for (JsonNode n : call.body().path("MessageAttributeNames")) {
            allAttributes |= n.asText().equals("All") || n.asText().equals(".*");
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        lock.lock();
        try {
            while (true) {
                List<Stored> due = new ArrayList<>();
                long now = System.nanoTime();
                for (Stored s : queue(url)) {
                    if (due.size() < max && s.visibleAtNanos - now <= 0) {
                        due.add(s);
                    }
                }
                if (!due.isEmpty() || now - deadline >= 0) {
                    ArrayNode messages = JSON.createArrayNode();
                    for (Stored s : due) {
                        s.receiveCount++;
                        s.visibleAtNanos = now + TimeUnit.SECONDS.toNanos(visibility);
                        s.receiptHandle = Base64.getEncoder()
                                .encodeToString((s.id + "#" + UUID.randomUUID()).getBytes(StandardCharsets.UTF_8));
                        issued.add(s.receiptHandle);
                        ObjectNode m = messages.addObject();
                        m.put("MessageId", s.id);
                        m.put("ReceiptHandle", s.receiptHandle);
                        m.put("MD5OfBody", md5(s.body.getBytes(StandardCharsets.UTF_8)));
                        m.put("Body", s.body);
                        ObjectNode sys = m.putObject("Attributes");
                        sys.put("ApproximateReceiveCount", String.valueOf(s.receiveCount));
                        sys.put("SentTimestamp", String.valueOf(s.sentAtMillis));
                        if (allAttributes && !s.attributes.isEmpty()) {
                            m.set("MessageAttributes", s.attributes.deepCopy());
                            m.put("MD5OfMessageAttributes", attributesMd5(s.attributes));
                        }
                    }
                    ObjectNode out = JSON.createObjectNode();
                    if (!messages.isEmpty()) {
                        out.set("Messages", messages);
                    }
                    return out;
                }
                long earliest = deadline - now;
                sent.awaitNanos(Math.min(earliest, TimeUnit.MILLISECONDS.toNanos(50)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return JSON.createObjectNode();
        } finally {
            lock.unlock();
        }
    }

    private Object delete(Call call) {
        String url = call.body().path("QueueUrl").asText("");
        String handle = call.body().path("ReceiptHandle").asText("");
        lock.lock();
        try {
            boolean removed = queue(url).removeIf(s -> handle.equals(s.receiptHandle));
            // SQS accepts a stale handle of a message already deleted or received again; one it never issued it
            // refuses
            if (!removed && !issued.contains(handle)) {
                throw new AwsError(
                        400,
                        "com.amazonaws.sqs#ReceiptHandleIsInvalid",
                        "The input receipt handle \"" + handle + "\" is not a valid receipt handle.");
            }
            return JSON.createObjectNode();
        } finally {
            lock.unlock();
        }
    }

    private Object changeVisibility(Call call) {
        String url = call.body().path("QueueUrl").asText("");
        String handle = call.body().path("ReceiptHandle").asText("");
        int seconds = call.body().path("VisibilityTimeout").asInt(0);
        lock.lock();
        try {
            for (Stored s : queue(url)) {
                if (handle.equals(s.receiptHandle)) {
                    s.visibleAtNanos = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
                    sent.signalAll();
                    return JSON.createObjectNode();
                }
            }
            throw new AwsError(
                    400,
                    "com.amazonaws.sqs#MessageNotInflight",
                    "Message does not exist or is not" + " available for visibility timeout change.");
        } finally {
            lock.unlock();
        }
    }

    private Object attributes(Call call) {
        String url = call.body().path("QueueUrl").asText("");
        lock.lock();
        try {
            long now = System.nanoTime();
            List<Stored> q = queue(url);
            long visible = q.stream().filter(s -> s.visibleAtNanos - now <= 0).count();
            ObjectNode out = JSON.createObjectNode();
            ObjectNode a = out.putObject("Attributes");
            a.put("ApproximateNumberOfMessages", String.valueOf(visible));
            a.put("ApproximateNumberOfMessagesNotVisible", String.valueOf(q.size() - visible));
            return out;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the queue holds at least {@code count} messages (sent by the code under test). */
    public List<Message> awaitMessages(String queueUrl, int count, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (queue(queueUrl).size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("expected " + count + " messages in " + queueUrl + " within " + timeout
                            + ", found " + queue(queueUrl).size());
                }
                sent.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(20)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            lock.unlock();
        }
        return messages(queueUrl);
    }

    static String md5(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("MD5 is part of every JDK", e);
        }
    }

    /**
     * SQS's digest of message attributes: for each attribute in name order, the name, the data type and the
     * value, each as a 4-byte big-endian length and its UTF-8 bytes, the value preceded by 1 (string or number)
     * or 2 (binary).
     */
    static String attributesMd5(JsonNode attributes) {
        Map<String, JsonNode> sorted = new TreeMap<>();
        attributes.properties().forEach(e -> sorted.put(e.getKey(), e.getValue()));
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (var e : sorted.entrySet()) {
            lengthPrefixed(out, e.getKey().getBytes(StandardCharsets.UTF_8));
            lengthPrefixed(out, e.getValue().path("DataType").asText().getBytes(StandardCharsets.UTF_8));
            if (e.getValue().has("StringValue")) {
                out.write(1);
                lengthPrefixed(out, e.getValue().get("StringValue").asText().getBytes(StandardCharsets.UTF_8));
            } else {
                out.write(2);
                lengthPrefixed(
                        out,
                        Base64.getDecoder()
                                .decode(e.getValue().path("BinaryValue").asText()));
            }
        }
        return md5(out.toByteArray());
    }

    private static void lengthPrefixed(ByteArrayOutputStream out, byte[] bytes) {
        out.writeBytes(ByteBuffer.allocate(4).putInt(bytes.length).array());
        out.writeBytes(bytes);
    }
}
