package io.deagent.sources.airflow;

import io.deagent.core.investigate.Budget;
import java.util.Optional;

/**
 * The wire to one Airflow: straight HTTP to the webserver, or MWAA's InvokeRestApi. One attempt per call (the
 * caller retries); every failure is thrown as a {@code SourceException} whose message names the request and
 * what the remote said, never a credential.
 */
sealed interface AirflowTransport extends AutoCloseable permits DirectTransport, MwaaTransport {

    /** The API generation and, when the server said, the Airflow release. */
    record Detected(ApiVersion version, Optional<String> release) {}

    /** Asks the server which API it serves. */
    Detected detect(Budget budget);

    /** {@code GET {prefix}/version} under a known API version: the release. */
    Optional<String> release(ApiVersion version, Budget budget);

    /**
     * Sends one call and returns the 2xx answer.
     *
     * @param textCap how many bytes of a plain-text body to keep (its tail); JSON bodies have their own limit
     */
    ApiReply send(ApiVersion version, ApiCall call, Budget budget, long textCap);

    /** Method and where the call goes, as shown in messages and evidence queries; no secrets. */
    String describe(ApiVersion version, ApiCall call);

    /** Where calls go: the base URL or the MWAA environment. */
    String target();

    /** How we authenticate, for the doctor line: {@code admin (basic auth)}, {@code a static bearer token}, … */
    String identity();

    /** Whether this is MWAA, for the advice on 401/403. */
    boolean viaMwaa();

    @Override
    void close();
}
