package io.deagent.sources.redshift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.deagent.testkit.FakeAwsJsonApi;
import io.deagent.testkit.FakeAwsJsonApi.AwsError;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import software.amazon.awssdk.services.redshiftdata.RedshiftDataClient;
import software.amazon.awssdk.services.redshiftdata.model.DescribeStatementResponse;
import software.amazon.awssdk.services.redshiftdata.model.Field;
import software.amazon.awssdk.services.redshiftdata.model.GetStatementResultResponse;
import software.amazon.awssdk.services.redshiftdata.model.RedshiftDataException;
import software.amazon.awssdk.services.redshiftdata.model.ResourceNotFoundException;
import software.amazon.awssdk.services.redshiftdata.model.SqlParameter;
import software.amazon.awssdk.services.redshiftdata.model.StatusString;
import software.amazon.awssdk.services.redshiftdata.model.ValidationException;

/** The fake speaks JSON 1.1 as the real Redshift Data client reads and writes it. */
class RedshiftDataWireTest {

    private final FakeAwsJsonApi aws = FakeAwsJsonApi.start();
    private final RedshiftDataClient client = RedshiftDataQueryTest.client(aws, RedshiftDataQueryTest.CLUSTER);

    @AfterEach
    void stop() {
        client.close();
        aws.close();
    }

    @Test
    void executeStatementSendsPascalCaseMembersAndNamedParameters() {
        aws.on(
                "RedshiftData.ExecuteStatement",
                call -> Map.of(
                        "Id", "d9b6c0c9-0747-4bf4-b142-e8883122f766", "CreatedAt", 1.7636076E9, "Database", "dev"));

        String id = client.executeStatement(b -> b.clusterIdentifier("analytics")
                        .database("dev")
                        .dbUser("agent")
                        .sql("select :p1")
                        .parameters(SqlParameter.builder().name("p1").value("x").build())
                        .clientToken("token-1"))
                .id();

        assertThat(id).isEqualTo("d9b6c0c9-0747-4bf4-b142-e8883122f766");
        FakeAwsJsonApi.Call call = aws.calls().get(0);
        assertThat(call.target()).isEqualTo("RedshiftData.ExecuteStatement");
        assertThat(call.header("Authorization"))
                .hasValueSatisfying(a -> assertThat(a).contains("/us-east-1/redshift-data/aws4_request"));
        assertThat(call.body().toString())
                .contains("\"Sql\":\"select :p1\"")
                .contains("\"ClusterIdentifier\":\"analytics\"")
                .contains("\"Database\":\"dev\"")
                .contains("\"DbUser\":\"agent\"")
                .contains("\"Parameters\":[{\"name\":\"p1\",\"value\":\"x\"}]")
                .contains("\"ClientToken\":\"token-1\"");
    }

    @Test
    void describeStatementAndFieldUnionsParse() {
        aws.on("RedshiftData.DescribeStatement", call -> """
                {"Id":"s-1","Status":"FINISHED","Duration":1234567890,"HasResultSet":true,"ResultRows":2,
                 "Error":null,"QueryString":"select 1"}""");
        aws.on("RedshiftData.GetStatementResult", call -> """
                {"ColumnMetadata":[{"name":"a","label":"a","typeName":"varchar"}],
                 "Records":[[{"stringValue":"x"}],[{"longValue":7}],[{"doubleValue":1.5}],[{"booleanValue":true}],
                            [{"isNull":true}],[{"blobValue":"AQID"}]],
                 "TotalNumRows":6}""");

        DescribeStatementResponse d = client.describeStatement(b -> b.id("s-1"));
        GetStatementResultResponse r = client.getStatementResult(b -> b.id("s-1"));

        assertThat(d.status()).isEqualTo(StatusString.FINISHED);
        assertThat(d.duration()).isEqualTo(1_234_567_890L);
        assertThat(d.hasResultSet()).isTrue();
        assertThat(r.records())
                .extracting(row -> row.get(0).type())
                .containsExactly(
                        Field.Type.STRING_VALUE,
                        Field.Type.LONG_VALUE,
                        Field.Type.DOUBLE_VALUE,
                        Field.Type.BOOLEAN_VALUE,
                        Field.Type.IS_NULL,
                        Field.Type.BLOB_VALUE);
        assertThat(r.records())
                .extracting(row -> RedshiftDataQuery.value(row.get(0)))
                .containsExactly("x", 7L, 1.5, true, null, new byte[] {1, 2, 3});
        assertThat(r.columnMetadata().get(0).typeName()).isEqualTo("varchar");
    }

    @Test
    void errorsArriveAsTheSdksExceptions() {
        aws.on("RedshiftData.DescribeStatement", call -> {
            throw AwsError.resourceNotFound("Query does not exist.");
        });
        assertThatThrownBy(() -> client.describeStatement(b -> b.id("nope")))
                .isInstanceOf(ResourceNotFoundException.class)
                .hasMessageContaining("Query does not exist.");

        aws.failNext("RedshiftData.DescribeStatement", 1, AwsError.validation("Id is not a valid UUID"));
        assertThatThrownBy(() -> client.describeStatement(b -> b.id("nope"))).isInstanceOf(ValidationException.class);

        // not modelled by the Data API: the service's base exception, recognised as throttling by its code
        aws.failNext("RedshiftData.DescribeStatement", 1, AwsError.throttling());
        assertThatThrownBy(() -> client.describeStatement(b -> b.id("nope")))
                .isInstanceOfSatisfying(RedshiftDataException.class, e -> {
                    assertThat(e.isThrottlingException()).isTrue();
                    assertThat(e.awsErrorDetails().errorCode()).isEqualTo("ThrottlingException");
                });
    }
}
