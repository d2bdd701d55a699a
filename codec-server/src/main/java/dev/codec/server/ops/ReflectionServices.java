package dev.codec.server.ops;

import io.grpc.BindableService;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micronaut.context.annotation.Bean;
import io.micronaut.context.annotation.Factory;
import io.micronaut.context.annotation.Requires;
import jakarta.inject.Named;
import jakarta.inject.Singleton;

/**
 * gRPC server reflection (so {@code grpcurl} can list and call services without the .proto files),
 * only when {@code codec.reflection.enabled=true} (env {@code CODEC_REFLECTION_ENABLED}; default
 * off). Both the v1 service and the older v1alpha one that many grpcurl versions still ask for.
 */
@Factory
@Requires(property = "codec.reflection.enabled", value = "true")
public class ReflectionServices {
  @Singleton
  @Named("reflection-v1")
  @Bean(typed = BindableService.class)
  BindableService reflectionV1() {
    return ProtoReflectionServiceV1.newInstance();
  }

  @Singleton
  @Named("reflection-v1alpha")
  @Bean(typed = BindableService.class)
  @SuppressWarnings("deprecation")
  BindableService reflectionV1alpha() {
    return io.grpc.protobuf.services.ProtoReflectionService.newInstance();
  }
}
