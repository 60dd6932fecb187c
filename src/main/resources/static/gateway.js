/*
 * Shared by the chat page and the operator view: JSON-RPC calls, the runtime's health, and errors put in words.
 * Every URL is relative to the page, so the pages also work when a proxy serves the gateway under a path prefix.
 */
'use strict';

const Gateway = (() => {
    /** An error to show to a person as it is: its message is already in words. */
    class GatewayError extends Error {
        constructor(message, code) {
            super(message);
            this.code = code;
        }
    }

    const RPC_WORDS = {
        '-32000': 'The NPU queue is full, so the gateway turned this request away. Try again in a moment.',
        '-32002': 'The gateway holds as many sessions as it may. Try again in a moment.',
        '-32003': 'The model is not available (runtime unavailable), so nothing can run now.',
        '-32004': 'The model failed while generating.',
        '-32600': 'The gateway did not understand the request.',
        '-32602': 'The gateway refused a parameter.',
        '-32603': 'The gateway failed on its side.',
    };

    const HTTP_WORDS = {
        401: 'The gateway asks for an API key.',
        403: 'The gateway refused this page (its origin is not allowed, or the key may not do this).',
        404: 'The gateway does not know this session (it ended and was removed, or never existed).',
        413: 'The prompt is too large for the gateway.',
        429: 'Too many requests: the gateway asks to slow down.',
        503: 'The gateway is not ready.',
    };

    let nextId = 0;

    /** A JSON-RPC error object in words, with the gateway's own message after them. */
    function rpcErrorWords(error) {
        const words = RPC_WORDS[String(error.code)] || 'The gateway answered with an error.';
        return `${words} (${error.code}: ${error.message})`;
    }

    function httpWords(status) {
        return HTTP_WORDS[status] || `The gateway answered HTTP ${status}.`;
    }

    /** A page-relative URL for a path the gateway gives out ("/streams/<id>"). */
    function url(path) {
        return new URL('.' + (path.startsWith('/') ? path : '/' + path), document.baseURI).toString();
    }

    async function send(path, init) {
        let response;
        try {
            response = await fetch(url(path), init);
        }
        catch (failure) {
            throw new GatewayError(`Cannot reach the gateway (${failure.message}).`);
        }
        return response;
    }

    /** Calls a JSON-RPC method and gives its result; a failure comes as a GatewayError in words. */
    async function rpc(method, params) {
        const response = await send('/rpc', {
            method: 'POST',
            headers: { 'Content-Type': 'application/json' },
            body: JSON.stringify({ jsonrpc: '2.0', id: ++nextId, method, params: params || {} }),
        });
        if (!response.ok) {
            throw new GatewayError(httpWords(response.status));
        }
        const answer = await response.json();
        if (answer.error) {
            throw new GatewayError(rpcErrorWords(answer.error), answer.error.code);
        }
        return answer.result;
    }

    /** GETs or DELETEs an Actuator path and gives its JSON body (null when it has none). */
    async function actuator(path, method) {
        const response = await send('/actuator/' + path, { method: method || 'GET', cache: 'no-store' });
        // Health answers 503 with its body when something is DOWN: the body is what the page shows.
        if (!response.ok && !(path === 'health' && response.status === 503)) {
            throw new GatewayError(httpWords(response.status));
        }
        const text = await response.text();
        return text ? JSON.parse(text) : null;
    }

    /** The runtime's health component: {status, details}, from /actuator/health. */
    async function runtimeHealth() {
        const health = await actuator('health');
        const rkllm = (health.components && health.components.rkllm) || { status: health.status, details: {} };
        return { status: rkllm.status, details: rkllm.details || {} };
    }

    /** The CSS class of a health status badge. */
    function badgeClass(status) {
        return status === 'UP' ? 'badge up' : status === 'OUT_OF_SERVICE' ? 'badge wait' : 'badge down';
    }

    /** The last part of a path: the model file's name. */
    function fileName(path) {
        return path ? String(path).split('/').pop() : '';
    }

    return { GatewayError, rpc, actuator, runtimeHealth, badgeClass, fileName, url };
})();
