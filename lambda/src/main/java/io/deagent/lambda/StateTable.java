package io.deagent.lambda;

import io.deagent.core.Diagnosis;
import io.deagent.runtime.AwsClients;
import io.deagent.runtime.Config;
import io.deagent.runtime.ConfigException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.services.dynamodb.DynamoDbClient;
import software.amazon.awssdk.services.dynamodb.model.AttributeValue;
import software.amazon.awssdk.services.dynamodb.model.ConditionalCheckFailedException;
import software.amazon.awssdk.services.dynamodb.model.ReturnValue;

/**
 * The Lambda deployment's state, in one DynamoDB table (on-demand) keyed by the string attribute {@code pk}:
 *
 * <ul>
 *   <li>{@code failure#<digest of the dedupe key>}, {@code slack-alert#<channel>#<ts>}: one per piece of work, put
 *       by the ack only if absent (the dedupe), then carrying the work's status, reply and diagnosis;
 *   <li>{@code slack-event#<event_id>}: Slack deliveries already taken (Slack retries for an hour);
 *   <li>{@code sig#<signature>#<dag>#<task>}: how often a failure signature was seen ({@code ADD}, atomic);
 *   <li>{@code thread#<channel>#<ts>}: the diagnosis an incident thread's follow-up questions are answered from.
 * </ul>
 *
 * Every item but the signature counts carries {@code expires_at} (epoch seconds), the table's TTL attribute.
 * Any DynamoDB failure is one {@link Unavailable}: the ack answers 503 and the worker leaves the message for a
 * retry.
 */
public final class StateTable {

    static final String KEY = "pk";
    static final String TTL = "expires_at";
    static final Duration WORK_TTL = Duration.ofDays(30);
    static final Duration DELIVERY_TTL = Duration.ofDays(2);
    static final Duration SIGNATURE_TTL = Duration.ofDays(400);

    private final Supplier<DynamoDbClient> client;
    private final String table;
    private final Clock clock;
    private volatile DynamoDbClient built;

    StateTable(Supplier<DynamoDbClient> client, String table, Clock clock) {
        this.client = client;
        this.table = table;
        this.clock = clock;
    }

    /** {@code DE_AGENT_STATE_TABLE}, in {@code AWS_REGION} (or at {@code AWS_ENDPOINT_URL}). */
    public static StateTable from(Config config, Clock clock) {
        String table = config.get("DE_AGENT_STATE_TABLE")
                .orElseThrow(
                        () -> new ConfigException(
                                "DE_AGENT_STATE_TABLE is not set: name the DynamoDB table of the deployment (deploy/template.yaml)"));
        if (!table.matches("[a-zA-Z0-9_.-]{3,255}")) {
            throw new ConfigException("DE_AGENT_STATE_TABLE is not a DynamoDB table name: " + table);
        }
        var builder = AwsClients.configure(
                        DynamoDbClient.builder(), config, "DE_AGENT_STATE_TABLE (DynamoDB)", "DYNAMODB")
                .overrideConfiguration(
                        o -> o.apiCallTimeout(Duration.ofSeconds(5)).retryStrategy(StateTable.retries()));
        return new StateTable(builder::build, table, clock);
    }

    /** SDK attempts per call: a throttle or a 5xx is tried again twice, quickly, inside the ack's few seconds. */
    static final int ATTEMPTS = 3;

    static software.amazon.awssdk.retries.api.RetryStrategy retries() {
        return software.amazon.awssdk.awscore.retry.AwsRetryStrategy.standardRetryStrategy().toBuilder()
                .maxAttempts(ATTEMPTS)
                .build();
    }

    /** DynamoDB did not answer, or refused: nothing was decided. */
    public static final class Unavailable extends RuntimeException {
        Unavailable(String message) {
            super(message);
        }
    }

    /** The key of a failure event's work item: a digest, since dedupe keys can be long. */
    public static String failureKey(String dedupeKey) {
        return "failure#" + digest(dedupeKey);
    }

    public static String slackAlertKey(String channel, String ts) {
        return "slack-alert#" + channel + "#" + ts;
    }

    public static String slackEventKey(String eventId) {
        return "slack-event#" + eventId;
    }

    static String signatureKey(String signature, String dagId, String taskId) {
        return "sig#" + signature + "#" + digest(dagId + "\n" + taskId);
    }

    static String threadKey(String channel, String threadTs) {
        return "thread#" + channel + "#" + threadTs;
    }

    /**
     * Records {@code key} if it is not there yet (a conditional put): true for the first delivery, false for a
     * duplicate.
     */
    public boolean putIfAbsent(String key, Duration ttl, Map<String, String> attributes) {
        Map<String, AttributeValue> item = new HashMap<>();
        attributes.forEach((k, v) -> item.put(k, s(v)));
        item.put(KEY, s(key));
        item.put("created_at", s(clock.instant().toString()));
        item.put(TTL, n(clock.instant().plus(ttl).getEpochSecond()));
        try {
            db().putItem(b -> b.tableName(table)
                    .item(item)
                    .conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", KEY)));
            return true;
        } catch (ConditionalCheckFailedException e) {
            return false;
        } catch (SdkException e) {
            throw unavailable("PutItem " + key, e);
        }
    }

    /** Removes a key recorded by a request that could not finish, so that the sender's retry is not a duplicate. */
    public void forget(String key) {
        try {
            db().deleteItem(b -> b.tableName(table).key(Map.of(KEY, s(key))));
        } catch (SdkException e) {
            throw unavailable("DeleteItem " + key, e);
        }
    }

    /** A work item's state, read consistently. */
    public record WorkState(
            String status, Optional<String> replyTs, Optional<String> countedSignature, Optional<Instant> createdAt) {}

    public Optional<WorkState> work(String key) {
        return get(key).map(i -> new WorkState(
                text(i, "status").orElse("queued"),
                text(i, "reply_ts"),
                text(i, "counted_signature"),
                text(i, "created_at").map(Instant::parse)));
    }

    /** The work's message is on the queue. */
    public void queued(String key) {
        update(key, "SET #st = :q", Map.of("#st", "status"), Map.of(":q", s("queued")));
    }

    /** Work with nothing more to record (a follow-up answered) is done. */
    public void markDone(String key) {
        update(
                key,
                "SET #st = :done, #at = :at",
                Map.of("#st", "status", "#at", "finished_at"),
                Map.of(":done", s("done"), ":at", s(clock.instant().toString())));
    }

    /** Remembers the Slack reply of a work item, so a redelivery updates it rather than posting another. */
    public void replyPosted(String key, String ts) {
        update(key, "SET #ts = :ts", Map.of("#ts", "reply_ts"), Map.of(":ts", s(ts)));
    }

    /**
     * Counts the diagnosis's signature for this DAG and task, once per work item however often it is delivered,
     * and returns how often it was seen. A redelivery reads the count without adding to it.
     */
    public Diagnosis.Recurrence countOnce(String workKey, Diagnosis d, String dagId, String taskId, Instant at) {
        boolean first;
        try {
            db().updateItem(b -> b.tableName(table)
                    .key(Map.of(KEY, s(workKey)))
                    .updateExpression("SET #c = :sig, #ttl = if_not_exists(#ttl, :ttl)")
                    .conditionExpression("attribute_not_exists(#c)")
                    .expressionAttributeNames(Map.of("#c", "counted_signature", "#ttl", TTL))
                    .expressionAttributeValues(Map.of(
                            ":sig",
                            s(d.signature()),
                            ":ttl",
                            n(clock.instant().plus(WORK_TTL).getEpochSecond()))));
            first = true;
        } catch (ConditionalCheckFailedException e) {
            first = false;
        } catch (SdkException e) {
            throw unavailable("UpdateItem " + workKey, e);
        }
        String key = signatureKey(d.signature(), dagId, taskId);
        if (!first) {
            return get(key).map(StateTable::recurrence)
                    .orElse(new Diagnosis.Recurrence(0, Optional.empty(), Optional.empty()));
        }
        try {
            var r = db().updateItem(b -> b.tableName(table)
                    .key(Map.of(KEY, s(key)))
                    .updateExpression("ADD #seen :one SET #first = if_not_exists(#first, :at), #last = :at,"
                            + " #cat = :cat, #dag = :dag, #task = :task, #ttl = :ttl")
                    .expressionAttributeNames(Map.of(
                            "#seen", "seen",
                            "#first", "first_seen",
                            "#last", "last_seen",
                            "#cat", "category",
                            "#dag", "dag_id",
                            "#task", "task_id",
                            "#ttl", TTL))
                    .expressionAttributeValues(Map.of(
                            ":one", n(1),
                            ":at", s(at.toString()),
                            ":cat", s(d.category()),
                            ":dag", s(dagId),
                            ":task", s(taskId),
                            ":ttl", n(at.plus(SIGNATURE_TTL).getEpochSecond())))
                    .returnValues(ReturnValue.ALL_NEW));
            return recurrence(r.attributes());
        } catch (SdkException e) {
            throw unavailable("UpdateItem " + key, e);
        }
    }

    private static Diagnosis.Recurrence recurrence(Map<String, AttributeValue> item) {
        int seen = item.containsKey("seen") ? Integer.parseInt(item.get("seen").n()) : 0;
        return new Diagnosis.Recurrence(seen, text(item, "first_seen"), Optional.empty());
    }

    /** The work is finished: its outcome, for whoever looks at the table. */
    public void done(String key, Diagnosis d, long diagnosticMs) {
        update(
                key,
                "SET #st = :done, #cat = :cat, #sig = :sig, #ms = :ms, #at = :at",
                Map.of(
                        "#st", "status",
                        "#cat", "category",
                        "#sig", "signature",
                        "#ms", "diagnostic_ms",
                        "#at", "finished_at"),
                Map.of(
                        ":done", s("done"),
                        ":cat", s(d.category()),
                        ":sig", s(d.signature()),
                        ":ms", n(diagnosticMs),
                        ":at", s(clock.instant().toString())));
    }

    /** The diagnosis of a Slack thread, for its follow-up questions. */
    public void thread(String channel, String threadTs, String diagnosisJson) {
        Map<String, AttributeValue> item = new HashMap<>();
        item.put(KEY, s(threadKey(channel, threadTs)));
        item.put("diagnosis", s(diagnosisJson));
        item.put(TTL, n(clock.instant().plus(WORK_TTL).getEpochSecond()));
        try {
            db().putItem(b -> b.tableName(table).item(item));
        } catch (SdkException e) {
            throw unavailable("PutItem thread " + channel, e);
        }
    }

    /** The diagnosis JSON answered in a thread, if any. */
    public Optional<String> threadDiagnosis(String channel, String threadTs) {
        return get(threadKey(channel, threadTs)).flatMap(i -> text(i, "diagnosis"));
    }

    private Optional<Map<String, AttributeValue>> get(String key) {
        try {
            var r = db().getItem(
                            b -> b.tableName(table).key(Map.of(KEY, s(key))).consistentRead(true));
            return r.hasItem() && !r.item().isEmpty() ? Optional.of(r.item()) : Optional.empty();
        } catch (SdkException e) {
            throw unavailable("GetItem " + key, e);
        }
    }

    /** A {@code SET} on a work item; one that was never put (its ack's item expired) gets an expiry too. */
    private void update(String key, String expression, Map<String, String> names, Map<String, AttributeValue> values) {
        Map<String, String> allNames = new HashMap<>(names);
        allNames.put("#ttl", TTL);
        Map<String, AttributeValue> allValues = new HashMap<>(values);
        allValues.put(":ttl", n(clock.instant().plus(WORK_TTL).getEpochSecond()));
        try {
            db().updateItem(b -> b.tableName(table)
                    .key(Map.of(KEY, s(key)))
                    .updateExpression(expression + ", #ttl = if_not_exists(#ttl, :ttl)")
                    .expressionAttributeNames(allNames)
                    .expressionAttributeValues(allValues));
        } catch (SdkException e) {
            throw unavailable("UpdateItem " + key, e);
        }
    }

    private DynamoDbClient db() {
        DynamoDbClient c = built;
        if (c == null) {
            synchronized (this) {
                if (built == null) {
                    built = client.get();
                }
                c = built;
            }
        }
        return c;
    }

    private Unavailable unavailable(String what, SdkException e) {
        String detail = e instanceof software.amazon.awssdk.awscore.exception.AwsServiceException s
                        && s.awsErrorDetails() != null
                ? s.awsErrorDetails().errorCode() + " " + s.awsErrorDetails().errorMessage()
                : e.getClass().getSimpleName() + ": " + firstLine(e.getMessage());
        return new Unavailable("DynamoDB " + what + " on " + table + ": " + detail);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return nl > 0 ? s.substring(0, nl) : s;
    }

    private static Optional<String> text(Map<String, AttributeValue> item, String name) {
        AttributeValue v = item.get(name);
        return v == null || v.s() == null ? Optional.empty() : Optional.of(v.s());
    }

    private static AttributeValue s(String v) {
        return AttributeValue.fromS(v);
    }

    private static AttributeValue n(long v) {
        return AttributeValue.fromN(Long.toString(v));
    }

    static String digest(String s) {
        try {
            byte[] sha = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(sha, 0, 20);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}
