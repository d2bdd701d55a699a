package dev.codec.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.codec.proto.v1.DecryptAllRequest;
import dev.codec.proto.v1.EncryptRequest;
import dev.codec.proto.v1.GenerateDekRequest;
import dev.codec.proto.v1.RewrapDekRequest;
import dev.codec.proto.v1.RewrapItem;
import dev.codec.proto.v1.Variable;
import org.junit.jupiter.api.Test;

/**
 * What the audit log reads from each kind of request: identifiers and the entry count, nothing
 * else.
 */
class AuditDescribeTest {
  @Test
  void describe_mapRequest_countsItsEntries_andReadsBothIds() {
    DecryptAllRequest request =
        DecryptAllRequest.newBuilder()
            .setProjectId("p-1")
            .setDeploymentId("d-7")
            .putVariables(
                "A", Variable.newBuilder().setKind(Variable.Kind.KIND_PLAIN).setValue("a").build())
            .putVariables(
                "B", Variable.newBuilder().setKind(Variable.Kind.KIND_PLAIN).setValue("b").build())
            .putVariables(
                "C", Variable.newBuilder().setKind(Variable.Kind.KIND_PLAIN).setValue("c").build())
            .build();
    CallRecord record = describe(request);
    assertEquals("p-1", record.projectId);
    assertEquals("d-7", record.deploymentId);
    assertEquals(3, record.values);
    // the request's map is still a map afterwards: nothing rebuilt it as a list
    assertEquals("b", request.getVariablesMap().get("B").getValue());
  }

  @Test
  void describe_repeatedMessageField_countsItsItems_withoutAProjectField() {
    RewrapDekRequest request =
        RewrapDekRequest.newBuilder()
            .addItems(RewrapItem.newBuilder().setProjectId("p-1").setEncryptedDek("x"))
            .addItems(RewrapItem.newBuilder().setProjectId("p-2").setEncryptedDek("y"))
            .build();
    CallRecord record = describe(request);
    assertEquals(2, record.values);
    assertEquals("", record.projectId);
  }

  @Test
  void describe_requestWithoutRepeatedFields_countsOne() {
    CallRecord record = describe(GenerateDekRequest.newBuilder().setProjectId("p-9").build());
    assertEquals("p-9", record.projectId);
    assertEquals(1, record.values);
  }

  @Test
  void describe_emptyMap_countsZero() {
    CallRecord record = describe(EncryptRequest.newBuilder().setProjectId("p-3").build());
    assertEquals(0, record.values);
  }

  private static CallRecord describe(com.google.protobuf.Message request) {
    CallRecord record = new CallRecord();
    AuditInterceptor.describe(request, record);
    return record;
  }
}
