/*
 * The operator view: the runtime's health, the queue, the running session and its live tokens/s, and every session
 * with a button that stops and removes it; read from /actuator/health and /actuator/streams once a second.
 */
'use strict';

(() => {
    const POLL_MS = 1000;

    const $ = (id) => document.getElementById(id);

    /** The last poll's chunk counts by session and its time, for tokens/s between two polls. */
    let previous = { at: 0, seq: new Map() };

    function fact(list, name, value) {
        const row = document.createElement('div');
        const dt = document.createElement('dt');
        dt.textContent = name;
        const dd = document.createElement('dd');
        dd.textContent = value;
        row.append(dt, dd);
        list.append(row);
    }

    function showRuntime(health) {
        const badge = $('health');
        badge.className = Gateway.badgeClass(health.status);
        badge.textContent = health.status;
        const details = health.details;
        $('reason').hidden = !details.reason;
        $('reason').textContent = details.reason || '';
        const list = $('runtime-details');
        list.replaceChildren();
        fact(list, 'Model', Gateway.fileName(details.model) || '–');
        fact(list, 'Library', details.library || '–');
        fact(list, 'ABI / version', `${details.abi || '–'} / ${details.version || '–'}`);
        fact(list, 'State', details.state || '–');
        fact(list, 'NPU busy', details.busy ? 'yes' : 'no');
    }

    /** Tokens/s of the running sessions since the last poll; chunks stand for tokens. */
    function liveRate(streams, now) {
        const seq = new Map(streams.sessions.map((session) => [session.id, session.seq]));
        let tokens = 0;
        for (const session of streams.sessions) {
            if (session.state === 'running' && previous.seq.has(session.id)) {
                tokens += session.seq - previous.seq.get(session.id);
            }
        }
        const seconds = (now - previous.at) / 1000;
        const rate = previous.at > 0 && seconds > 0 ? tokens / seconds : null;
        previous = { at: now, seq };
        return rate;
    }

    function showStreams(streams, now) {
        const rate = liveRate(streams, now);
        $('running').textContent = streams.running_session_id || 'none';
        $('live-rate').textContent = rate === null ? '–' : rate.toFixed(1);
        $('queued').textContent = String(streams.queued);
        $('active').textContent = `${streams.active_sessions} of ${streams.max_sessions}`;
        $('counts').textContent = `${streams.sessions_created} / ${streams.sessions_evicted}`;
        const rows = [...streams.sessions].sort(liveFirst).map(sessionRow);
        $('sessions').replaceChildren(...rows);
        $('no-sessions').hidden = rows.length > 0;
    }

    const LIVE_ORDER = { running: 0, queued: 1 };

    /** The running session, then the queue in its order, then the ended sessions, newest first. */
    function liveFirst(a, b) {
        const rank = (session) => LIVE_ORDER[session.state] ?? 2;
        return rank(a) - rank(b) || (a.queue_position || 0) - (b.queue_position || 0)
            || b.created.localeCompare(a.created);
    }

    function cell(row, text, className) {
        const td = document.createElement('td');
        td.textContent = text;
        if (className) {
            td.className = className;
        }
        row.append(td);
        return td;
    }

    function sessionRow(session) {
        const row = document.createElement('tr');
        row.dataset.sessionId = session.id;
        row.dataset.state = session.state;
        cell(row, session.id, 'id');
        const state = session.state + (session.queue_position ? ` (#${session.queue_position})` : '');
        cell(row, state, `state-${session.state}`);
        cell(row, String(session.seq));
        cell(row, String(session.subscribers));
        cell(row, session.transport);
        cell(row, new Date(session.last_activity).toLocaleTimeString());
        const live = session.state === 'running' || session.state === 'queued';
        const button = document.createElement('button');
        button.type = 'button';
        button.className = live ? 'danger' : '';
        button.textContent = live ? 'Stop' : 'Remove';
        button.setAttribute('aria-label', `${button.textContent} session ${session.id}`);
        button.addEventListener('click', () => remove(session.id, button));
        cell(row, '').append(button);
        return row;
    }

    async function remove(id, button) {
        button.disabled = true;
        try {
            await Gateway.actuator(`streams/${encodeURIComponent(id)}`, 'DELETE');
            $('status').textContent = `Session ${id} stopped and removed.`;
            $('status').classList.remove('error');
        }
        catch (failure) {
            $('status').textContent = `Could not stop session ${id}: ${failure.message}`;
            $('status').classList.add('error');
        }
        poll();
    }

    let polling = false;

    async function poll() {
        if (polling) {
            return;
        }
        polling = true;
        try {
            const [health, streams] = await Promise.all([Gateway.runtimeHealth(), Gateway.actuator('streams')]);
            showRuntime(health);
            showStreams(streams, performance.now());
            $('updated').textContent = `Updated ${new Date().toLocaleTimeString()}`;
        }
        catch (failure) {
            $('updated').textContent = `Not updated: ${failure.message}`;
        }
        finally {
            polling = false;
        }
    }

    poll();
    setInterval(poll, POLL_MS);
})();
