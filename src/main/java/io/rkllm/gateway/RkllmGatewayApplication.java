package io.rkllm.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/** Puts the RKLLM runtime of a Rockchip NPU behind JSON-RPC 2.0 and Server-Sent Events. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class RkllmGatewayApplication {

    public static void main(String[] args) {
        SpringApplication.run(RkllmGatewayApplication.class, args);
    }

}
