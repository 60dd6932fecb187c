// The official ollama npm client against a gateway serving two simulator models, alpha (corpus "Alpine meadows
// glow …") and beta ("Baltic harbours hum …"), both resident at once: node ollama-models.mjs <host URL>
import assert from 'node:assert/strict';
import { Ollama } from 'ollama';

const [host] = process.argv.slice(2);
const ollama = new Ollama({ host });
const FAST = '[[sim:prefill_ms=0]][[sim:delay_us=0]][[sim:new_tokens=3]]';

const list = await ollama.list();
assert.deepEqual(list.models.map((model) => model.name), ['alpha:latest', 'beta:latest']);

for (const [model, words] of [['alpha', 'Alpine meadows glow'], ['beta:latest', 'Baltic harbours hum']]) {
  const stream = await ollama.chat({ model, stream: true, messages: [{ role: 'user', content: `Hello ${FAST}` }] });
  let text = '';
  for await (const part of stream) {
    text += part.message.content;
  }
  assert.ok(text.endsWith(words), `${model} answered ${JSON.stringify(text)}`);
}

const loaded = await ollama.ps();
assert.deepEqual(loaded.models.map((model) => model.name).sort(), ['alpha:latest', 'beta:latest']);

const unloaded = await ollama.generate({ model: 'beta', prompt: '', keep_alive: 0 });
assert.equal(unloaded.done_reason, 'unload');
assert.deepEqual((await ollama.ps()).models.map((model) => model.name), ['alpha:latest']);

console.log('ollama npm client: two models listed, each chatted with, one unloaded: ok');
