package io.deagent.lambda;

import static org.assertj.core.api.Assertions.assertThat;

import com.amazonaws.services.lambda.runtime.events.APIGatewayV2HTTPEvent;
import io.deagent.core.Diagnosis;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** SnapStart readiness: nothing happens at construction, and priming is local work that leaves no thread behind. */
class PrimingTest {

    @Test
    void primingWarmsTheAckWithoutNetworkOrThreadsAndTheFirstAckAfterItIsFast() throws Exception {
        Set<Thread> before = Thread.getAllStackTraces().keySet();

        long start = System.nanoTime();
        Diagnosis d = Priming.prime();
        long primeMs = (System.nanoTime() - start) / 1_000_000;

        assertThat(d.category()).isEqualTo("out_of_memory_executor");
        Set<String> started = Thread.getAllStackTraces().keySet().stream()
                .filter(t -> !before.contains(t) && t.isAlive() && !t.isDaemon())
                .map(Thread::getName)
                .collect(Collectors.toSet());
        assertThat(started).as("threads left running by priming").isEmpty();

        // what a container restored from the primed snapshot does first
        try (FakeAws aws = new FakeAws()) {
            AckHandler ack = aws.ack();
            APIGatewayV2HTTPEvent alert = Samples.signed("slack-alert-message.json", Samples.SLACK_SIGNING_SECRET);
            long t = System.nanoTime();
            assertThat(ack.handleRequest(alert, null).getStatusCode()).isEqualTo(200);
            long firstMs = (System.nanoTime() - t) / 1_000_000;
            assertThat(aws.sqs.messages(aws.queueUrl)).hasSize(1);
            assertThat(firstMs).isLessThan(3_000);
            System.out.printf(
                    "priming took %d ms; the first ack after it took %d ms (wiring and first AWS calls included)%n",
                    primeMs, firstMs);
        }
    }

    @Test
    void theHandlersDoNothingWhenConstructed() {
        // no configuration, no region, no credentials: construction must not need any (the snapshot is taken after
        // it, and secrets are read on the first invocation)
        new AckHandler();
        new WorkerHandler();
    }
}
