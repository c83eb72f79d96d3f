package io.deagent.app.serve;

import static org.assertj.core.api.Assertions.assertThat;

import io.deagent.app.store.Database;
import io.deagent.app.store.IncidentStore;
import io.deagent.core.Diagnosis;
import io.deagent.core.DiagnosisJson;
import io.deagent.runtime.Config;
import io.deagent.runtime.Investigators;
import io.github.embeddedkafka.EmbeddedK;
import io.github.embeddedkafka.EmbeddedKafka$;
import io.github.embeddedkafka.EmbeddedKafkaConfig;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two {@code serve} replicas reading one Kafka topic as one consumer group, on a real broker (KRaft, in this
 * JVM), sharing one PostgreSQL as replicas do: the partitions are split between them, and every failure event is
 * recorded and investigated once, re-sent copies included.
 */
class KafkaIntakeTest {

    private static final String TOPIC = "airflow-failures";
    private static final int PARTITIONS = 4;
    private static EmbeddedK kafka;
    private static String bootstrap;

    @TempDir
    Path dir;

    @BeforeAll
    static void broker() {
        Map<String, String> brokerProps =
                Map.of("group.initial.rebalance.delay.ms", "0", "auto.create.topics.enable", "false");
        scala.collection.immutable.Map<String, String> none = scala.collection.immutable.Map$.MODULE$.empty();
        scala.collection.immutable.Map<String, String> broker = scala.collection.immutable.Map$.MODULE$.from(
                scala.jdk.javaapi.CollectionConverters.asScala(brokerProps));
        EmbeddedKafkaConfig config = EmbeddedKafkaConfig.apply(0, 0, broker, none, none);
        long start = System.nanoTime();
        kafka = EmbeddedKafka$.MODULE$.start(config);
        int port = EmbeddedKafka$.MODULE$.kafkaPort(kafka.broker());
        bootstrap = "127.0.0.1:" + port;
        EmbeddedKafka$.MODULE$
                .createCustomTopic(TOPIC, none, PARTITIONS, 1, kafka.config())
                .get();
        System.out.printf(
                "embedded KRaft broker up in %d ms on %s%n", (System.nanoTime() - start) / 1_000_000, bootstrap);
    }

    @AfterAll
    static void stopBroker() {
        if (kafka != null) {
            EmbeddedKafka$.MODULE$.stop();
        }
    }

    private static Map<String, Object> consumer(String clientId) {
        Map<String, Object> p = new HashMap<>();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, "de-agent-test");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        return p;
    }

    private static String event(int i) {
        return "{\"dag_id\":\"orders_" + (i % 3) + "\",\"task_id\":\"load\",\"run_id\":\"scheduled__2026-11-" + (10 + i)
                + "\",\"try_number\":1,\"exception\":\"java.lang.OutOfMemoryError: Java heap space\"}";
    }

    @Test
    void twoReplicasShareThePartitionsAndEveryEventIsInvestigatedOnce() throws Exception {
        Clock clock = Clock.systemUTC();
        Dispatcher.Settings settings = new Dispatcher.Settings(
                2, Duration.ofSeconds(60), 3, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(5));
        try (EmbeddedPostgres pg = EmbeddedPostgres.builder().start()) {
            String url = pg.getJdbcUrl("postgres", "postgres");
            Optional<String> user = Optional.of("postgres");
            Optional<String> password = Optional.of("postgres");
            try (Database dbA = Database.open(url, user, password, 6);
                    Database dbB = Database.open(url, user, password, 6)) {
                run(new IncidentStore(dbA), new IncidentStore(dbB), clock, settings);
            }
        }
    }

    private void run(IncidentStore store, IncidentStore storeB, Clock clock, Dispatcher.Settings settings)
            throws Exception {
        {
            ServiceMetrics metrics = new ServiceMetrics(store::queueDepth);
            var investigator = Investigators.investigator(Config.of(Map.of()), clock);
            Dispatcher a = new Dispatcher(store, investigator, metrics, clock, settings, "replica-a");
            Dispatcher b = new Dispatcher(storeB, investigator, metrics, clock, settings, "replica-b");
            AtomicInteger newByA = new AtomicInteger();
            AtomicInteger newByB = new AtomicInteger();
            KafkaIntake intakeA = new KafkaIntake(
                    consumer("replica-a"),
                    TOPIC,
                    new QueuedEvents(
                            store,
                            () -> {
                                newByA.incrementAndGet();
                                a.wake();
                            },
                            metrics,
                            clock));
            KafkaIntake intakeB = new KafkaIntake(
                    consumer("replica-b"),
                    TOPIC,
                    new QueuedEvents(
                            storeB,
                            () -> {
                                newByB.incrementAndGet();
                                b.wake();
                            },
                            metrics,
                            clock));
            a.start();
            b.start();
            intakeA.start();
            intakeB.start();
            try {
                await(
                        Duration.ofSeconds(60),
                        "both replicas hold partitions",
                        () -> !intakeA.assignment().isEmpty()
                                && !intakeB.assignment().isEmpty()
                                && intakeA.assignment().size()
                                                + intakeB.assignment().size()
                                        == PARTITIONS);
                Set<TopicPartition> split = new HashSet<>(intakeA.assignment());
                assertThat(split).doesNotContainAnyElementsOf(intakeB.assignment());

                int distinct = 40;
                int resent = 10;
                try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(
                        Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.ACKS_CONFIG, "all"),
                        new StringSerializer(),
                        new ByteArraySerializer())) {
                    for (int i = 0; i < distinct + resent; i++) {
                        int n = i < distinct ? i : i - distinct; // the last ones are copies of the first
                        // keyed by run: copies land on the same partition as the original, as a retrying producer's do
                        producer.send(
                                new ProducerRecord<>(TOPIC, "run-" + n, event(n).getBytes(StandardCharsets.UTF_8)));
                    }
                    producer.send(new ProducerRecord<>(TOPIC, "junk", "not an event".getBytes(StandardCharsets.UTF_8)));
                    producer.flush();
                }

                long start = System.nanoTime();
                await(Duration.ofSeconds(60), "every incident investigated", () -> {
                    List<IncidentStore.Incident> all =
                            store.list(500, Optional.empty(), Optional.empty()).incidents();
                    return all.size() == distinct
                            && all.stream().allMatch(i -> i.status().equals(IncidentStore.DONE));
                });
                long ms = (System.nanoTime() - start) / 1_000_000;

                List<IncidentStore.Incident> all =
                        store.list(500, Optional.empty(), Optional.empty()).incidents();
                assertThat(all).hasSize(distinct);
                assertThat(all).allSatisfy(i -> assertThat(i.attempts()).isEqualTo(1));
                assertThat(all.stream()
                                .mapToInt(IncidentStore.Incident::deliveries)
                                .sum())
                        .isEqualTo(distinct + resent);
                assertThat(newByA.get() + newByB.get()).isEqualTo(distinct);
                assertThat(newByA.get()).isPositive();
                assertThat(newByB.get()).isPositive();
                // counted once each: the signature of each DAG's failures was seen as often as it had incidents
                Diagnosis d = DiagnosisJson.read(all.get(0).diagnosisJson().orElseThrow());
                int seen = 0;
                for (int dag = 0; dag < 3; dag++) {
                    seen += store.recurrence(d.signature(), "orders_" + dag, "load")
                            .map(Diagnosis.Recurrence::seen)
                            .orElse(0);
                }
                assertThat(seen).isEqualTo(distinct);
                assertThat(metrics.scrape())
                        .contains("de_agent_intake_messages_total{door=\"kafka\",outcome=\"invalid\"} 1.0");
                System.out.printf(
                        "Kafka: %d events (+%d re-sent, 1 invalid) over %d partitions; replica a took %d partitions and"
                                + " %d new events, replica b %d and %d; all investigated in %d ms%n",
                        distinct,
                        resent,
                        PARTITIONS,
                        split.size(),
                        newByA.get(),
                        intakeB.assignment().size(),
                        newByB.get(),
                        ms);
            } finally {
                intakeA.close();
                intakeB.close();
                a.close();
                b.close();
            }
        }
    }

    private static void await(Duration timeout, String what, java.util.function.BooleanSupplier condition)
            throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not within " + timeout + ": " + what);
            }
            Thread.sleep(50);
        }
    }
}
