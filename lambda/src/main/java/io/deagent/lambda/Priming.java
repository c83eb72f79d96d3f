package io.deagent.lambda;

import io.deagent.core.Diagnosis;
import io.deagent.core.DiagnosisJson;
import io.deagent.core.FailureEvent;
import io.deagent.core.FailureEvents;
import io.deagent.core.LogDiagnoser;
import io.deagent.core.Redactor;
import io.deagent.core.log.LogReader;
import io.deagent.runtime.EventJson;
import io.deagent.slack.SlackDoor;
import io.deagent.slack.SlackWebApi;
import io.deagent.slack.reply.ReplyRenderer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.crac.Context;
import org.crac.Core;
import org.crac.Resource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * SnapStart priming: before Lambda takes the snapshot of an initialised function, the code every invocation
 * runs is loaded and exercised once, so a restored container starts warm: the rule catalog (YAML read and
 * regexes compiled), Jackson, the redactor's patterns, the log reader and classifier, the Slack reply renderer,
 * Bolt's request parser and signature check, the AWS SDK's DynamoDB and SQS clients, and the work-item codec.
 * Everything here is local: no network, no secret of the deployment, no thread left running, nothing random kept
 * (see "SnapStart: uniqueness" in AWS's documentation).
 *
 * <p>Without SnapStart (or on a JVM without CRaC) {@link Core} calls nothing and this costs nothing.
 */
final class Priming implements Resource {

    private static final Logger log = LoggerFactory.getLogger(Priming.class);

    /** Held here: CRaC keeps registered resources by weak reference. */
    private static final Priming INSTANCE = new Priming();

    private static volatile boolean registered;

    private Priming() {}

    static void register() {
        if (!registered) {
            synchronized (Priming.class) {
                if (!registered) {
                    Core.getGlobalContext().register(INSTANCE);
                    registered = true;
                }
            }
        }
    }

    @Override
    public void beforeCheckpoint(Context<? extends Resource> context) {
        long start = System.nanoTime();
        prime();
        log.info("primed for the snapshot in {} ms", (System.nanoTime() - start) / 1_000_000);
    }

    @Override
    public void afterRestore(Context<? extends Resource> context) {
        log.info("restored from the snapshot");
    }

    /** Runs the local half of an ack and of an investigation on a built-in sample. Returns the diagnosis. */
    static Diagnosis prime() {
        String sample = """
                {"dag_id":"priming","task_id":"sample","run_id":"manual__priming","try_number":1,
                 "exception":"java.lang.OutOfMemoryError: Java heap space",
                 "log":"INFO start\\nERROR Executor: Exception in task 0.0 in stage 1.0 (TID 1)\\njava.lang.OutOfMemoryError: Java heap space\\n\\tat java.util.Arrays.copyOf(Arrays.java:3236)\\npassword=hunter2hunter2"}
                """;
        String redacted = EventJson.redacted(sample.getBytes(StandardCharsets.UTF_8));
        FailureEvent event = FailureEvents.parse(redacted, FailureEvent.Origin.AIRFLOW_WEBHOOK);
        Diagnosis d = LogDiagnoser.builtIn()
                .diagnose(new LogReader().read(event.log().orElseThrow()), Optional.of(event), List.of(), List.of());
        DiagnosisJson.read(DiagnosisJson.write(d));
        Redactor.redact("token=abcdefgh12345678 AKIAABCDEFGHIJKLMNOP");
        ReplyRenderer.result(event, d, Optional.empty());
        ReplyRenderer.investigating(event);
        new io.deagent.slack.alert.AlertParser("", "U0PRIMING").parse(json("""
                        {"type":"message","subtype":"bot_message","bot_id":"B0PRIMING","channel":"C0PRIMING",
                         "ts":"1.000100","text":":red_circle: Task Failed.\\n*Dag*: priming\\n*Task*: sample\\n*Run ID*: manual__priming"}
                        """));
        primeSlackDoor();
        primeAwsClients();
        WorkItem.parse(new WorkItem(
                        WorkItem.Kind.FAILURE,
                        StateTable.failureKey(event.dedupeKey()),
                        "priming",
                        Instant.EPOCH,
                        Optional.of(redacted),
                        Optional.empty(),
                        Optional.empty())
                .toJson());
        return d;
    }

    private static com.fasterxml.jackson.databind.JsonNode json(String text) {
        try {
            return new com.fasterxml.jackson.databind.ObjectMapper().readTree(text);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Bolt's parser and request verification, on a url_verification request signed here with a throwaway secret. */
    private static void primeSlackDoor() {
        String secret = "priming-" + Long.toHexString(System.nanoTime());
        SlackDoor door = new SlackDoor(
                secret, "xoxb-priming", SlackWebApi.client("http://127.0.0.1:9/api/"), (envelope, retry) -> {});
        String body = "{\"token\":\"t\",\"challenge\":\"priming\",\"type\":\"url_verification\"}";
        long ts = System.currentTimeMillis() / 1000;
        String signature;
        try {
            javax.crypto.Mac mac = javax.crypto.Mac.getInstance("HmacSHA256");
            mac.init(new javax.crypto.spec.SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            signature = "v0="
                    + java.util.HexFormat.of()
                            .formatHex(mac.doFinal(("v0:" + ts + ":" + body).getBytes(StandardCharsets.UTF_8)));
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        door.handle(
                body,
                Map.of(
                        "content-type", List.of("application/json"),
                        "x-slack-request-timestamp", List.of(String.valueOf(ts)),
                        "x-slack-signature", List.of(signature)),
                "127.0.0.1");
    }

    /**
     * The SDK's DynamoDB and SQS request path (marshalling, endpoint resolution, SigV4 signing) up to the point
     * where a request would be sent, where an interceptor stops it: nothing leaves the process, and the
     * credentials are a throwaway pair.
     */
    private static void primeAwsClients() {
        var credentials = software.amazon.awssdk.auth.credentials.StaticCredentialsProvider.create(
                software.amazon.awssdk.auth.credentials.AwsBasicCredentials.create("priming", "priming"));
        var stop = new software.amazon.awssdk.core.interceptor.ExecutionInterceptor() {
            @Override
            public void beforeTransmission(
                    software.amazon.awssdk.core.interceptor.Context.BeforeTransmission context,
                    software.amazon.awssdk.core.interceptor.ExecutionAttributes attributes) {
                throw new PrimingStop();
            }
        };
        var http = software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient.create();
        try (var dynamo = software.amazon.awssdk.services.dynamodb.DynamoDbClient.builder()
                        .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                        .credentialsProvider(credentials)
                        .httpClient(http)
                        .overrideConfiguration(o -> o.addExecutionInterceptor(stop)
                                .retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()))
                        .build();
                var sqs = software.amazon.awssdk.services.sqs.SqsClient.builder()
                        .region(software.amazon.awssdk.regions.Region.US_EAST_1)
                        .credentialsProvider(credentials)
                        .httpClient(http)
                        .overrideConfiguration(o -> o.addExecutionInterceptor(stop)
                                .retryStrategy(software.amazon.awssdk.awscore.retry.AwsRetryStrategy.doNotRetry()))
                        .build()) {
            stopped(() -> dynamo.putItem(b -> b.tableName("priming")
                    .item(Map.of("pk", software.amazon.awssdk.services.dynamodb.model.AttributeValue.fromS("p")))
                    .conditionExpression("attribute_not_exists(#pk)")
                    .expressionAttributeNames(Map.of("#pk", "pk"))));
            stopped(() -> sqs.sendMessage(b -> b.queueUrl("https://sqs.us-east-1.amazonaws.com/000000000000/priming")
                    .messageBody("{}")
                    .messageAttributes(Map.of(
                            "kind",
                            software.amazon.awssdk.services.sqs.model.MessageAttributeValue.builder()
                                    .dataType("String")
                                    .stringValue("priming")
                                    .build()))));
        } finally {
            http.close();
        }
    }

    private static void stopped(Runnable call) {
        try {
            call.run();
            throw new IllegalStateException("a priming request was not stopped before transmission");
        } catch (RuntimeException e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof PrimingStop) {
                    return;
                }
            }
            throw e;
        }
    }

    /** Thrown where a priming request would be sent. */
    private static final class PrimingStop extends RuntimeException {
        PrimingStop() {
            super("priming: not sent", null, false, false);
        }
    }
}
