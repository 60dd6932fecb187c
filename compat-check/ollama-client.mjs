// The official ollama npm client against the gateway's Ollama-compatible API: node ollama-client.mjs <host URL>
import assert from 'node:assert/strict';
import { Ollama } from 'ollama';

const [host] = process.argv.slice(2);
const ollama = new Ollama({ host });
const FAST = '[[sim:prefill_ms=0]][[sim:delay_us=0]]';

const list = await ollama.list();
assert.deepEqual(list.models.map((model) => model.name), ['tiny-sim:latest']);

const stream = await ollama.chat({
  model: 'tiny-sim',
  stream: true,
  messages: [{ role: 'user', content: `Node chat ${FAST}[[sim:new_tokens=3]]` }],
});
let text = '';
let last;
for await (const part of stream) {
  text += part.message.content;
  last = part;
}
assert.equal(text, 'Node chat A river starts');
assert.equal(last.done, true);
assert.equal(last.done_reason, 'stop');
assert.equal(last.eval_count, 6);

const generated = await ollama.generate({ model: 'tiny-sim:latest', prompt: `Node generate ${FAST}[[sim:new_tokens=2]]` });
assert.equal(generated.response, 'Node generate A river');
assert.equal(generated.done, true);

console.log('ollama npm client: list, a streamed chat, generate: ok');
