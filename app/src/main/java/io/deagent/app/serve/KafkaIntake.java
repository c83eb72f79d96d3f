package io.deagent.app.serve;

import io.deagent.core.FailureEvent;
import io.deagent.runtime.Config;
import io.deagent.runtime.ConfigException;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Failure events from a Kafka topic, as a member of a consumer group ({@code DE_AGENT_KAFKA_BOOTSTRAP},
 * {@code DE_AGENT_KAFKA_TOPIC}, {@code DE_AGENT_KAFKA_GROUP}): every replica of {@code serve} joins the group
 * and Kafka splits the topic's partitions between them. Offsets are committed only after the events before them
 * are recorded in the store; when the store fails, the partition is rewound to the first event not recorded and
 * read again. A redelivery after a rebalance or a crash is a duplicate of the same incident.
 */
final class KafkaIntake implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KafkaIntake.class);

    private final Map<String, Object> properties;
    private final String topic;
    private final QueuedEvents events;
    private final Set<TopicPartition> assigned = ConcurrentHashMap.newKeySet();
    private volatile boolean running;
    private volatile KafkaConsumer<byte[], byte[]> consumer;
    private Thread loop;

    KafkaIntake(Map<String, Object> properties, String topic, QueuedEvents events) {
        this.properties = Map.copyOf(properties);
        this.topic = topic;
        this.events = events;
    }

    /** Configured when {@code DE_AGENT_KAFKA_BOOTSTRAP} is set; the topic is then required. */
    static Optional<KafkaIntake> from(Config config, QueuedEvents events, String clientId) {
        Optional<String> bootstrap = config.get("DE_AGENT_KAFKA_BOOTSTRAP");
        if (bootstrap.isEmpty()) {
            return Optional.empty();
        }
        String topic = config.get("DE_AGENT_KAFKA_TOPIC")
                .orElseThrow(() -> new ConfigException(
                        "DE_AGENT_KAFKA_TOPIC is not set: name the topic of failure events to read"));
        if (!topic.matches("[a-zA-Z0-9._-]{1,249}")) {
            throw new ConfigException("DE_AGENT_KAFKA_TOPIC is not a Kafka topic name: " + topic);
        }
        Map<String, Object> p = new HashMap<>();
        config.get("DE_AGENT_KAFKA_PROPERTIES_FILE").ifPresent(f -> p.putAll(properties(Path.of(f))));
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap.get());
        p.put(ConsumerConfig.GROUP_ID_CONFIG, config.get("DE_AGENT_KAFKA_GROUP", "de-agent"));
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, clientId);
        return Optional.of(new KafkaIntake(p, topic, events));
    }

    /** Client settings for security (SASL, TLS) and tuning, as a Java properties file. */
    private static Map<String, Object> properties(Path file) {
        Properties props = new Properties();
        try (Reader r = Files.newBufferedReader(file)) {
            props.load(r);
        } catch (IOException e) {
            throw new ConfigException("DE_AGENT_KAFKA_PROPERTIES_FILE: cannot read " + file + ": " + e.getMessage());
        }
        Map<String, Object> out = new HashMap<>();
        props.forEach((k, v) -> out.put(String.valueOf(k), v));
        return out;
    }

    void start() {
        Map<String, Object> p = new HashMap<>(properties);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        p.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.putIfAbsent(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, 100);
        try {
            consumer = new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        } catch (KafkaException e) {
            throw new ConfigException("Kafka consumer settings: " + e.getMessage());
        }
        running = true;
        loop = Thread.ofPlatform().name("de-agent-kafka-intake").daemon().start(this::run);
        log.info(
                "reading failure events from Kafka topic {} as group {}", topic, p.get(ConsumerConfig.GROUP_ID_CONFIG));
    }

    /** The partitions this member holds now. */
    Set<TopicPartition> assignment() {
        return Set.copyOf(assigned);
    }

    private void run() {
        KafkaConsumer<byte[], byte[]> c = consumer;
        try {
            c.subscribe(List.of(topic), new ConsumerRebalanceListener() {
                @Override
                public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
                    assigned.removeAll(partitions);
                }

                @Override
                public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
                    assigned.addAll(partitions);
                    log.info("Kafka partitions assigned: {}", partitions);
                }
            });
            while (running) {
                ConsumerRecords<byte[], byte[]> records = c.poll(Duration.ofMillis(500));
                if (!records.isEmpty()) {
                    handle(c, records);
                }
            }
        } catch (WakeupException e) {
            // close() asked us to stop
        } catch (RuntimeException e) {
            log.error("the Kafka intake stopped: {}", e.toString(), e);
        } finally {
            try {
                c.close(Duration.ofSeconds(5));
            } catch (RuntimeException e) {
                log.warn("closing the Kafka consumer: {}", e.getMessage());
            }
        }
    }

    private void handle(KafkaConsumer<byte[], byte[]> c, ConsumerRecords<byte[], byte[]> records) {
        Map<TopicPartition, OffsetAndMetadata> done = new HashMap<>();
        for (TopicPartition tp : records.partitions()) {
            for (ConsumerRecord<byte[], byte[]> r : records.records(tp)) {
                try {
                    events.accept(
                            r.value() == null ? new byte[0] : r.value(),
                            FailureEvent.Origin.KAFKA,
                            tp + "@" + r.offset());
                } catch (RuntimeException storeDown) {
                    log.warn(
                            "cannot record Kafka message {}@{}: {}; reading it again",
                            tp,
                            r.offset(),
                            storeDown.getMessage());
                    c.seek(tp, r.offset());
                    pause();
                    break;
                }
                done.put(tp, new OffsetAndMetadata(r.offset() + 1));
            }
        }
        if (!done.isEmpty()) {
            try {
                c.commitSync(done);
            } catch (KafkaException e) {
                // recorded already: what is read again after a rebalance is a duplicate of the same incidents
                log.warn("cannot commit Kafka offsets: {}", e.getMessage());
            }
        }
    }

    private void pause() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    /** Leaves the group (its partitions go to the other members) and stops. */
    @Override
    public void close() {
        running = false;
        KafkaConsumer<byte[], byte[]> c = consumer;
        if (c != null) {
            c.wakeup();
        }
        if (loop != null) {
            try {
                loop.join(10_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
