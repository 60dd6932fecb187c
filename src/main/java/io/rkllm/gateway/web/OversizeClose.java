package io.rkllm.gateway.web;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

/**
 * Closes a WebSocket with 1009 when the fragments of one message add up to more than the limit. Netty's frame decoder
 * does so for a single frame over the limit, but its frame aggregator only raises an error, which Reactor Netty
 * answers with a close frame without a status (the client sees 1005). Placed right after the aggregator.
 */
final class OversizeClose extends ChannelInboundHandlerAdapter {

    static final String NAME = "rkllm.oversizeClose";

    @Override
    public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
        if (cause instanceof TooLongFrameException) {
            context.writeAndFlush(new CloseWebSocketFrame(WebSocketCloseStatus.MESSAGE_TOO_BIG,
                    "a message over rkllm.limits.max-request-bytes")).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        context.fireExceptionCaught(cause);
    }

}
