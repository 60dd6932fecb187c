/*
 * The chat page. A turn starts a run with rkllm_run_async and reads its answer over EventSource from the stream_url
 * the gateway gives back; EventSource reconnects by itself with Last-Event-ID after a lost connection, and the
 * gateway resumes after that chunk, so nothing is missing or doubled.
 *
 * The conversation is kept by the page, not by the model: every turn sends the earlier turns as part of the prompt
 * (the newest that fit in HISTORY_CHARS). The runtime's own history (keep_history) would hold one conversation for
 * the whole NPU, and the next client's run would clear it.
 */
'use strict';

(() => {
    /** Earlier turns sent with a prompt at most, in characters; the oldest go first. */
    const HISTORY_CHARS = 6000;

    const $ = (id) => document.getElementById(id);
    const conversation = $('conversation');
    const form = $('composer');
    const prompt = $('prompt');
    const sendButton = $('send');
    const stopButton = $('stop');
    const clearButton = $('clear');
    const statusLine = $('status');
    const scroller = $('main');

    /** Finished turns: {role: 'user' | 'assistant', text}. */
    let history = [];
    /** The run being streamed, or null. */
    let current = null;

    const FINISH_WORDS = {
        stop: 'Done.',
        length: 'Stopped at the length limit.',
        aborted: 'Stopped (aborted).',
        evicted: 'Ended: the gateway dropped the session after it sat idle.',
        error: 'The model failed while generating.',
    };

    const REASON_WORDS = {
        shutdown: 'the gateway is shutting down',
        evicted: 'the session sat idle',
        disconnected: 'the client went away',
        worker_lost: 'the runtime stopped',
    };

    function showStatus(text, isError) {
        statusLine.textContent = text;
        statusLine.classList.toggle('error', Boolean(isError));
    }

    function showMetrics(ttftMs, rate, tokens) {
        $('ttft').textContent = ttftMs == null ? '–' : `${Math.round(ttftMs)} ms`;
        $('rate').textContent = rate == null ? '–' : rate.toFixed(1);
        $('tokens').textContent = tokens == null ? '–' : String(tokens);
    }

    /** Whether the reader is at the end of the conversation: new text, and a resize, then keep the end in view. */
    let following = true;

    function scrollToEnd() {
        scroller.scrollTop = scroller.scrollHeight;
    }

    function addTurn(role, text) {
        $('empty')?.remove();
        const item = document.createElement('li');
        item.className = `turn ${role}`;
        const who = document.createElement('span');
        who.className = 'who';
        who.textContent = role === 'user' ? 'You' : 'Model';
        const body = document.createElement('div');
        body.className = 'text';
        body.textContent = text;
        const meta = document.createElement('p');
        meta.className = 'meta';
        item.append(who, body, meta);
        conversation.append(item);
        scrollToEnd();
        return item;
    }

    /** The prompt of a turn: the earlier turns that fit, then the new message. */
    function promptWith(message) {
        if (history.length === 0) {
            return message;
        }
        const lines = [];
        let size = 0;
        for (let i = history.length - 1; i >= 0; i--) {
            const line = `${history[i].role === 'user' ? 'User' : 'Assistant'}: ${history[i].text}`;
            if (size + line.length > HISTORY_CHARS) {
                break;
            }
            lines.unshift(line);
            size += line.length;
        }
        lines.push(`User: ${message}`);
        return lines.join('\n');
    }

    function setRunning(running) {
        sendButton.disabled = running;
        clearButton.disabled = running;
        stopButton.disabled = !running;
    }

    async function send() {
        const message = prompt.value.trim();
        if (!message || current) {
            return;
        }
        const run = {
            message,
            started: performance.now(),
            firstToken: null,
            tokens: 0,
            text: '',
            drops: 0,
            lost: false,
            source: null,
            sessionId: null,
            user: addTurn('user', message),
            item: addTurn('assistant', ''),
        };
        current = run;
        prompt.value = '';
        setRunning(true);
        showMetrics(null, null, null);
        showStatus('Starting…');
        let started;
        try {
            started = await Gateway.rpc('rkllm_run_async', { prompt_input: promptWith(message) });
        }
        catch (failure) {
            end(run, failure.message, true);
            return;
        }
        run.sessionId = started.session_id;
        run.item.dataset.sessionId = started.session_id;
        if (started.status === 'queued') {
            showQueued(started.queue_position);
        }
        else {
            showStatus('Generating…');
        }
        listen(run, started.stream_url);
    }

    function showQueued(position) {
        showStatus(`Waiting for the NPU: position ${position} in the queue.`);
    }

    function listen(run, streamUrl) {
        const source = new EventSource(Gateway.url(streamUrl));
        run.source = source;
        source.addEventListener('open', () => {
            if (run.lost) {
                run.lost = false;
                showStatus(`Connection resumed; the answer continues where it broke off.`);
            }
        });
        source.addEventListener('status', (event) => {
            const status = JSON.parse(event.data);
            if (status.state === 'queued') {
                showQueued(status.position);
            }
            else if (status.state === 'running') {
                showStatus('Generating…');
            }
        });
        source.addEventListener('chunk', (event) => chunk(run, JSON.parse(event.data)));
        source.addEventListener('error', (event) => {
            if (run !== current) {
                return;
            }
            if (event.data) {
                // The gateway's own "event: error": part of the answer is no longer kept for a resume.
                showStatus(`Part of the answer was lost: ${JSON.parse(event.data).message}`, true);
            }
            else if (source.readyState === EventSource.CONNECTING) {
                if (!run.lost) {
                    run.lost = true;
                    run.drops++;
                }
                showStatus('Connection lost; reconnecting…', true);
            }
            else {
                end(run, run.lost || run.tokens > 0
                    ? 'Connection lost, and the answer could not be resumed: the gateway no longer has the '
                        + 'session (it was removed, or the gateway restarted).'
                    : 'The answer stream could not be opened: the gateway does not know the session.', true);
            }
        });
    }

    function chunk(run, data) {
        if (data.delta) {
            const now = performance.now();
            if (run.firstToken === null) {
                run.firstToken = now;
                showStatus('Generating…');
            }
            run.tokens++;
            run.text += data.delta;
            run.item.querySelector('.text').textContent = run.text;
            if (following) {
                scrollToEnd();
            }
            const seconds = (now - run.firstToken) / 1000;
            showMetrics(run.firstToken - run.started, seconds > 0 ? (run.tokens - 1) / seconds : null, run.tokens);
        }
        if (data.end) {
            finish(run, data);
        }
    }

    function finish(run, data) {
        let words = FINISH_WORDS[data.finish_reason] || `Ended (${data.finish_reason}).`;
        if (data.reason) {
            words += ` The gateway ended it: ${REASON_WORDS[data.reason] || data.reason}.`;
        }
        if (data.error) {
            words += ` (${data.error.code}: ${data.error.message})`;
        }
        const perf = data.perf;
        const ttft = run.firstToken === null ? null : run.firstToken - run.started;
        let rate = null;
        if (perf && perf.generate_time_ms > 0) {
            rate = perf.generate_tokens / (perf.generate_time_ms / 1000);
        }
        else if (run.firstToken !== null && run.tokens > 1) {
            rate = (run.tokens - 1) / ((performance.now() - run.firstToken) / 1000);
        }
        showMetrics(ttft, rate, run.tokens);
        const facts = [words];
        if (ttft !== null) {
            facts.push(`first token after ${Math.round(ttft)} ms`);
        }
        if (rate !== null) {
            facts.push(`${rate.toFixed(1)} tokens/s`);
        }
        if (run.drops > 0) {
            facts.push(`connection lost and resumed ${run.drops}×`);
        }
        run.item.dataset.finish = data.finish_reason;
        end(run, facts.join(' · '), data.finish_reason === 'error');
    }

    /** Closes the run's stream and keeps its turn in the conversation unless it produced nothing. */
    function end(run, words, isError) {
        if (run.source) {
            run.source.close();
        }
        if (run !== current) {
            return;
        }
        current = null;
        const meta = run.item.querySelector('.meta');
        meta.textContent = words;
        if (following) {
            scrollToEnd();
        }
        meta.classList.toggle('error', Boolean(isError));
        if (!run.item.dataset.finish) {
            run.item.dataset.finish = 'failed';
        }
        if (run.text) {
            history.push({ role: 'user', text: run.message }, { role: 'assistant', text: run.text });
        }
        showStatus(isError ? words : '', isError);
        setRunning(false);
        prompt.focus();
        if (isError) {
            checkRuntime();
        }
    }

    async function stop() {
        const run = current;
        if (!run || !run.sessionId) {
            return;
        }
        showStatus('Stopping…');
        try {
            await Gateway.rpc('rkllm_abort', { session_id: run.sessionId });
        }
        catch (failure) {
            showStatus(`Could not stop the answer: ${failure.message}`, true);
        }
    }

    function clearConversation() {
        if (current) {
            return;
        }
        history = [];
        conversation.replaceChildren();
        showMetrics(null, null, null);
        showStatus('New conversation.');
        prompt.focus();
    }

    async function checkRuntime() {
        const line = $('runtime');
        try {
            const health = await Gateway.runtimeHealth();
            const badge = document.createElement('span');
            badge.className = Gateway.badgeClass(health.status);
            badge.textContent = health.status;
            const model = Gateway.fileName(health.details.model);
            const about = health.details.reason ? ` ${health.details.reason}` : model ? ` ${model}` : '';
            line.replaceChildren('Runtime ', badge, about);
        }
        catch (failure) {
            line.textContent = `Runtime: ${failure.message}`;
        }
    }

    form.addEventListener('submit', (event) => {
        event.preventDefault();
        send();
    });
    prompt.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
            event.preventDefault();
            send();
        }
    });
    document.addEventListener('keydown', (event) => {
        if (event.key === 'Escape' && current) {
            event.preventDefault();
            stop();
        }
    });
    scroller.addEventListener('scroll', () => {
        following = scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 48;
    });
    window.addEventListener('resize', () => {
        if (following) {
            scrollToEnd();
        }
    });
    stopButton.addEventListener('click', stop);
    clearButton.addEventListener('click', clearConversation);
    checkRuntime();
    prompt.focus();
})();
