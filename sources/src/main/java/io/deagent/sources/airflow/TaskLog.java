package io.deagent.sources.airflow;

/**
 * The log of one try, as text. Airflow 3's structured records stay JSON lines (see {@link AirflowApi#log}).
 *
 * @param text the log, or its tail when it was larger than the byte cap
 * @param bytes how many bytes of log text the server sent in all
 * @param truncated whether the head was dropped to respect the byte cap
 * @param complete false when the deadline or an error stopped the pages before the end of the log
 * @param pages how many answers it took (continuation tokens followed + 1)
 * @param request the first request, as shown in messages
 */
public record TaskLog(
        int tryNumber, String text, long bytes, boolean truncated, boolean complete, int pages, String request) {

    public boolean empty() {
        return text.isBlank();
    }
}
