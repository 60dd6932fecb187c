// The official openai npm client against the gateway's OpenAI-compatible API: node openai-client.mjs <base URL>
import assert from 'node:assert/strict';
import OpenAI from 'openai';

const [baseURL] = process.argv.slice(2);
const client = new OpenAI({ baseURL, apiKey: 'unused', maxRetries: 0 });
const FAST = '[[sim:prefill_ms=0]][[sim:delay_us=0]]';

const models = await client.models.list();
assert.deepEqual(models.data.map((model) => model.id), ['tiny-sim']);

const stream = await client.chat.completions.create({
  model: 'tiny-sim',
  stream: true,
  stream_options: { include_usage: true },
  messages: [{ role: 'user', content: `Node streamed ${FAST}[[sim:new_tokens=3]]` }],
});
let text = '';
let usage;
for await (const chunk of stream) {
  text += chunk.choices[0]?.delta?.content ?? '';
  usage = chunk.usage ?? usage;
}
assert.equal(text, 'Node streamed A river starts');
assert.equal(usage.completion_tokens, 6);

const whole = await client.chat.completions.create({
  model: 'tiny-sim',
  temperature: 0.7,
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: `Node whole ${FAST}[[sim:new_tokens=2]]` },
  ],
});
assert.equal(whole.choices[0].finish_reason, 'stop');
assert.match(whole.choices[0].message.content, /Node whole A river$/);

console.log('openai npm client: models, a streamed chat with usage, a whole chat: ok');
