package dev.codec.server.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.codec.proto.v1.CodecServiceGrpc;
import io.grpc.MethodDescriptor;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MethodPermissionsTest {

  /**
   * A new RPC without an entry would be refused to everyone (fail closed): this test says so at
   * build time.
   */
  @Test
  void everyRpcOfTheService_hasAPermission() {
    var methods = CodecServiceGrpc.getServiceDescriptor().getMethods();
    assertEquals(
        10,
        methods.size(),
        "the codec.v1.CodecService RPCs (update this test and the table together)");
    for (MethodDescriptor<?, ?> method : methods) {
      String name = method.getFullMethodName();
      assertTrue(name.startsWith("codec.v1.CodecService/"), name);
      assertTrue(MethodPermissions.required(name).isPresent(), "no permission for " + name);
      assertFalse(MethodPermissions.isPublicMethod(name), name + " must not be public");
      assertFalse(MethodPermissions.needsCallerOnly(name), name + " must need a permission");
    }
  }

  @Test
  void permissions_byRpc() {
    assertEquals(
        Optional.of(Permission.ENCRYPT),
        MethodPermissions.required("codec.v1.CodecService/Encrypt"));
    assertEquals(
        Optional.of(Permission.DECRYPT),
        MethodPermissions.required("codec.v1.CodecService/DecryptAll"));
    assertEquals(
        Optional.of(Permission.EXPORT_DEK),
        MethodPermissions.required("codec.v1.CodecService/DecryptDek"));
    assertEquals(
        Optional.of(Permission.GRANT),
        MethodPermissions.required("codec.v1.CodecService/IssueGrant"));
    assertEquals(
        Optional.of(Permission.ROTATE), MethodPermissions.required("codec.v1.CodecService/Status"));
    assertTrue(MethodPermissions.dependsOnRequest("codec.v1.CodecService/DecryptValue"));
  }

  @Test
  void oldAndUnknownNames_haveNoPermission() {
    assertEquals(
        Optional.empty(),
        MethodPermissions.required("codec.v1.Codec/DecryptAll"),
        "the pre-v1 name is gone");
    assertEquals(Optional.empty(), MethodPermissions.required("codec.v1.CodecService/Nope"));
  }
}
